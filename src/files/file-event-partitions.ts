import { sql } from 'drizzle-orm';
import { type Executor, resultRows } from '../store/db.ts';

/**
 * Creates the daily partitions of `file_events` for the given UTC days unless they exist. The SQL
 * function `file_events_ensure_partition` (migration `files_partitioning`) moves a day's rows
 * out of the default partition before attaching the new one.
 */
export async function ensureFileEventPartitions(
  db: Executor,
  days: Iterable<string>,
): Promise<string[]> {
  const names: string[] = [];
  for (const day of [...new Set(days)].sort()) {
    const rows = resultRows<{ name: string }>(
      await db.execute(sql`select file_events_ensure_partition(${day}::date) as name`),
    );
    names.push(rows[0]!.name);
  }
  return names;
}

/**
 * Drops every daily partition of `file_events` for a UTC day before `cutoff`, and deletes the
 * default partition's rows older than `cutoff`. Returns the dropped partitions' names.
 */
export async function dropFileEventPartitionsBefore(db: Executor, cutoff: Date): Promise<string[]> {
  const day = cutoff.toISOString().slice(0, 10);
  const rows = resultRows<{ dropped: string[] }>(
    await db.execute(sql`select file_events_drop_partitions_before(${day}::date) as dropped`),
  );
  return rows[0]?.dropped ?? [];
}

/**
 * Lists what `dropFileEventPartitionsBefore(cutoff)` would remove, and changes nothing: the daily
 * partitions of UTC days before `cutoff`, and the number of older rows in the default partition.
 */
export async function planFileEventDrop(
  db: Executor,
  cutoff: Date,
): Promise<{ partitions: string[]; defaultRows: number }> {
  const day = cutoff.toISOString().slice(0, 10).replaceAll('-', '');
  const partitions = (await listFileEventPartitions(db)).filter(
    (name) => /^file_events_\d{8}$/.test(name) && name.slice('file_events_'.length) < day,
  );
  const rows = resultRows<{ count: number }>(
    await db.execute(sql`
      select count(*)::int as count from file_events_default
      where observed_at < ${cutoff.toISOString().slice(0, 10)}::date::timestamp at time zone 'UTC'`),
  );
  return { partitions, defaultRows: Number(rows[0]?.count ?? 0) };
}

/** Lists the daily partitions of `file_events`, oldest first. */
export async function listFileEventPartitions(db: Executor): Promise<string[]> {
  const rows = resultRows<{ name: string }>(
    await db.execute(sql`
      select child.relname as name
      from pg_inherits
      join pg_class parent on parent.oid = pg_inherits.inhparent
      join pg_class child on child.oid = pg_inherits.inhrelid
      where parent.relname = 'file_events'
      order by child.relname`),
  );
  return rows.map((row) => row.name);
}
