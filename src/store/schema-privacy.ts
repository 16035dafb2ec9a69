import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cases } from './schema.ts';

/**
 * The pseudonym generation of each subject that has had one changed. A subject without a row is in
 * generation 1. Ending an identity reveal raises the generation, so security sees a new pseudonym
 * that cannot be matched to the identity it was shown.
 */
export const subjectPseudonyms = pgTable('subject_pseudonyms', {
  subjectKey: text('subject_key').primaryKey(),
  generation: integer('generation').notNull().default(1),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Requests by security to see the identity of a case's subject. `status` is `pending` until HR or
 * the privacy role decides, then `approved` (until `expires_at`), `rejected`, or `expired` once the
 * expiry job has ended an approved reveal.
 */
export const identityReveals = pgTable(
  'identity_reveals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    /** The subject key of the case when the request was made; its pseudonym changes on expiry. */
    subjectKey: text('subject_key').notNull(),
    status: text('status').notNull().default('pending'),
    requestedBy: text('requested_by').notNull(),
    reason: text('reason').notNull(),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
    decidedBy: text('decided_by'),
    decisionReason: text('decision_reason'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (table) => [
    // At most one open request or live reveal per case, also under concurrent requests.
    uniqueIndex('identity_reveals_one_open_per_case')
      .on(table.caseId)
      .where(sql`${table.status} in ('pending', 'approved')`),
    index('identity_reveals_expiry_idx')
      .on(table.expiresAt)
      .where(sql`${table.status} = 'approved'`),
  ],
);
