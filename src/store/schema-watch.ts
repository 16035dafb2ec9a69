import { sql } from 'drizzle-orm';
import {
  index,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { cases, people } from './schema.ts';

/**
 * Watchlist memberships, one row per period a person is on a list. Lifecycle lists (`departing`,
 * `new-hires`) are computed from HR dates; custom lists are managed by security. A row whose
 * `ended_at` is null is current, and a person has at most one current row per list.
 */
export const watchlistMemberships = pgTable(
  'watchlist_memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    list: text('list').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => people.id),
    /** `hr_record` for lifecycle lists, `person` for custom lists managed by security. */
    cause: text('cause').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    /** The planned end: the local midnight that closes a lifecycle window; null when open-ended. */
    endsAt: timestamp('ends_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    /** The security member who added the person to a custom list. */
    addedBy: text('added_by'),
    reason: text('reason'),
    endedBy: text('ended_by'),
    endReason: text('end_reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('watchlist_memberships_current_key')
      .on(table.list, table.personId)
      .where(sql`${table.endedAt} is null`),
    index('watchlist_memberships_person_idx').on(table.personId),
  ],
);

/**
 * HR updates already sent to a case as HR_UPDATE events, so that the job that detects them sends
 * each once. `key` names the HR fact, such as the last working day's date.
 */
export const caseHrUpdates = pgTable(
  'case_hr_updates',
  {
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.caseId, table.kind, table.key] })],
);
