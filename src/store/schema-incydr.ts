import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The pull position of each Incydr stream (`sessions`, `file-events`), so that a restarted process
 * resumes where the last one stopped. A window is a range of Incydr times: `event.inserted` for
 * file events and the session begin time for sessions.
 */
export const incydrCursors = pgTable('incydr_cursors', {
  stream: text('stream').primaryKey(),
  /** Start of the part of the window still to pull, or of the next window when none is open. */
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  /** End of the window in progress; null when the last window was pulled to its end. */
  windowEnd: timestamp('window_end', { withTimezone: true }),
  /** File events: the `pgToken` of the next page of the window in progress ('' for its first page). */
  pageToken: text('page_token'),
  /** Sessions: the next page number (from 0) of the window in progress. */
  pageNumber: integer('page_number'),
  /** Time of the latest record handed on, in the stream's window time. */
  lastEventAt: timestamp('last_event_at', { withTimezone: true }),
  /** running, succeeded, partial (pages were skipped) or failed. */
  lastRunStatus: text('last_run_status').notNull().default('never'),
  lastRunStartedAt: timestamp('last_run_started_at', { withTimezone: true }),
  lastRunFinishedAt: timestamp('last_run_finished_at', { withTimezone: true }),
  lastRunRecords: integer('last_run_records').notNull().default(0),
  lastRunPages: integer('last_run_pages').notNull().default(0),
  lastRunSkippedPages: integer('last_run_skipped_pages').notNull().default(0),
  /** The last failure or skipped page, without secrets or record contents. */
  lastError: text('last_error'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
