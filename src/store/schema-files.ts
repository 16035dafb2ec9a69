import { sql } from 'drizzle-orm';
import {
  bigint,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Raw file events at volume, one row per source event. The migration `files_partitioning` turns
 * this table into one partitioned by day on `observed_at` (`PARTITION BY RANGE`), with a default
 * partition; retention drops whole daily partitions. The primary key includes `observed_at`
 * because PostgreSQL requires a partitioned table's unique keys to contain the partition key.
 */
export const fileEvents = pgTable(
  'file_events',
  {
    source: text('source').notNull(),
    eventId: text('event_id').notNull(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    /** `person:<uuid>`, `email:<address>` or `id:<id>`, as intake keys case subjects. */
    subjectKey: text('subject_key').notNull(),
    userEmail: text('user_email'),
    /** The source device's name, or the vendor's device id when it sends no name. */
    device: text('device'),
    action: text('action'),
    fileName: text('file_name'),
    filePath: text('file_path'),
    sha256: text('sha256'),
    md5: text('md5'),
    fileCategory: text('file_category'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    destinationCategory: text('destination_category'),
    destinationName: text('destination_name'),
    /** Domains the file went to: destination domains, e-mail recipients' domains, tab URLs' hosts. */
    domains: text('domains').array().notNull().default(sql`'{}'::text[]`),
    process: text('process'),
    severity: text('severity').notNull(),
    riskScore: real('risk_score'),
    /** The id of the critical-file registry entry that the file's hash matched. */
    criticalFileId: uuid('critical_file_id'),
    /** The name of the suppression rule that matched, or null when none did. */
    suppressedBy: text('suppressed_by'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({
      name: 'file_events_pkey',
      columns: [table.source, table.eventId, table.observedAt],
    }),
    index('file_events_sha256_idx').on(table.sha256).where(sql`${table.sha256} is not null`),
    index('file_events_md5_idx').on(table.md5).where(sql`${table.md5} is not null`),
  ],
);

/** Files whose movement matters in itself, identified by SHA-256 or MD5. */
export const criticalFiles = pgTable(
  'critical_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Lower-case hex. */
    sha256: text('sha256'),
    /** Lower-case hex. */
    md5: text('md5'),
    label: text('label').notNull(),
    owner: text('owner'),
    sensitivity: text('sensitivity').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('critical_files_sha256_key')
      .on(table.sha256)
      .where(sql`${table.sha256} is not null`),
    uniqueIndex('critical_files_md5_key').on(table.md5).where(sql`${table.md5} is not null`),
    check(
      'critical_files_hash_check',
      sql`${table.sha256} is not null or ${table.md5} is not null`,
    ),
  ],
);

/**
 * Daily totals of file events per subject, file category and destination category: the input of
 * the baselines. Unsuppressed events only. An unknown category is stored as `unknown`.
 */
export const fileActivityDaily = pgTable(
  'file_activity_daily',
  {
    subjectKey: text('subject_key').notNull(),
    /** UTC day of the events. */
    day: date('day', { mode: 'string' }).notNull(),
    fileCategory: text('file_category').notNull(),
    destinationCategory: text('destination_category').notNull(),
    department: text('department'),
    events: integer('events').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
  },
  (table) => [
    primaryKey({
      columns: [table.subjectKey, table.day, table.fileCategory, table.destinationCategory],
    }),
    index('file_activity_daily_department_idx').on(table.department, table.day),
  ],
);

/** Whether a subject's critical-file or anomaly alert opened a case, for the per-subject throttle. */
export const fileCaseOpenings = pgTable(
  'file_case_openings',
  {
    subjectKey: text('subject_key').notNull(),
    caseId: uuid('case_id').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.subjectKey, table.caseId] })],
);

export type FileEventRow = typeof fileEvents.$inferSelect;
export type CriticalFileRow = typeof criticalFiles.$inferSelect;
