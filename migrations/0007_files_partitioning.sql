-- Recreate file_events, empty since the previous migration made it, as a table partitioned by
-- day on observed_at. Its columns come from the drizzle-made table, so src/store/schema-files.ts
-- stays the one definition of them; the key and index names are those drizzle knows.
ALTER TABLE "file_events" RENAME TO "file_events_unpartitioned";
--> statement-breakpoint
CREATE TABLE "file_events" (LIKE "file_events_unpartitioned" INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE ("observed_at");
--> statement-breakpoint
DROP TABLE "file_events_unpartitioned";
--> statement-breakpoint
ALTER TABLE "file_events" ADD CONSTRAINT "file_events_pkey" PRIMARY KEY ("source", "event_id", "observed_at");
--> statement-breakpoint
CREATE INDEX "file_events_sha256_idx" ON "file_events" USING btree ("sha256") WHERE "sha256" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "file_events_md5_idx" ON "file_events" USING btree ("md5") WHERE "md5" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX "file_events_subject_idx" ON "file_events" USING btree ("subject_key", "observed_at");
--> statement-breakpoint
-- Rows of a day without its own partition land here until file_events_ensure_partition moves them.
CREATE TABLE "file_events_default" PARTITION OF "file_events" DEFAULT;
--> statement-breakpoint
-- Creates the partition file_events_YYYYMMDD for one UTC day unless it exists, moving that day's
-- rows out of the default partition first (ATTACH refuses while the default holds any of them).
-- An advisory lock serialises concurrent callers. Returns the partition's name.
CREATE OR REPLACE FUNCTION file_events_ensure_partition(p_day date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  part text := 'file_events_' || to_char(p_day, 'YYYYMMDD');
  lower_bound timestamptz := p_day::timestamp AT TIME ZONE 'UTC';
  upper_bound timestamptz := (p_day + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('file_events_partitions'));
  IF to_regclass(part) IS NOT NULL THEN
    RETURN part;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE file_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
  EXECUTE format(
    'WITH moved AS (DELETE FROM file_events_default WHERE observed_at >= %L AND observed_at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
    lower_bound, upper_bound, part);
  EXECUTE format('ALTER TABLE file_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
    part, lower_bound, upper_bound);
  RETURN part;
END
$$;
--> statement-breakpoint
-- Drops every daily partition of a day before p_cutoff and deletes the default partition's rows
-- older than p_cutoff 00:00 UTC. Returns the dropped partitions' names.
CREATE OR REPLACE FUNCTION file_events_drop_partitions_before(p_cutoff date) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
  part record;
  dropped text[] := '{}';
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('file_events_partitions'));
  FOR part IN
    SELECT child.relname AS name
    FROM pg_inherits
    JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
    JOIN pg_class child ON child.oid = pg_inherits.inhrelid
    WHERE parent.relname = 'file_events' AND child.relname ~ '^file_events_[0-9]{8}$'
      AND to_date(substring(child.relname FROM 13), 'YYYYMMDD') < p_cutoff
    ORDER BY child.relname
  LOOP
    EXECUTE format('DROP TABLE %I', part.name);
    dropped := dropped || part.name::text;
  END LOOP;
  DELETE FROM file_events_default WHERE observed_at < p_cutoff::timestamp AT TIME ZONE 'UTC';
  RETURN dropped;
END
$$;
