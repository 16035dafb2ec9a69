import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
};

/** People of the directory: employees who may be subjects, managers or deciders. */
export const people = pgTable(
  'people',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Lower-cased, so that a plain unique index and equality match addresses in any case. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    managerEmail: text('manager_email'),
    department: text('department'),
    employeeNumber: text('employee_number'),
    locale: text('locale'),
    /** ISO 3166-1 alpha-2 country code of the person's employment, for retention rules per country. */
    country: text('country'),
    /** IANA time zone of the person's workplace; date windows such as a last working day end at its midnight. */
    timeZone: text('time_zone'),
    hireDate: date('hire_date', { mode: 'string' }),
    /** The day the person gave or received notice. */
    noticeDate: date('notice_date', { mode: 'string' }),
    lastWorkingDay: date('last_working_day', { mode: 'string' }),
    /** False once HR deactivates the person; their history stays. */
    active: boolean('active').notNull().default(true),
    /** The id the provisioning client (SCIM `externalId`, an HRIS) uses for the person. */
    sourceId: text('source_id'),
    /** Lower-cased ids that detection tools use for the person (user names, actor ids). */
    externalIds: text('external_ids').array().notNull().default(sql`'{}'::text[]`),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('people_email_key').on(table.email),
    index('people_employee_number_idx').on(table.employeeNumber),
    index('people_manager_email_idx').on(table.managerEmail),
    index('people_external_ids_idx').using('gin', table.externalIds),
  ],
);

/** Roles granted by the configuration: security, hr, legal. */
export const roleGrants = pgTable(
  'role_grants',
  {
    email: text('email').notNull(),
    role: text('role').notNull(),
    ...timestamps,
  },
  (table) => [primaryKey({ columns: [table.email, table.role] })],
);

/**
 * Cases. `state`, `priority` and `closed_at` mirror the machine snapshot so that they can be
 * queried; only the transition path writes them, in the same statement as the snapshot.
 */
export const cases = pgTable(
  'cases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    number: bigserial('number', { mode: 'number' }).notNull(),
    key: text('key').notNull().generatedAlwaysAs(sql`'CB-' || lpad(number::text, 4, '0')`),
    /** `person:<uuid>` for a subject in the directory, `email:<address>` or `id:<id>` otherwise. */
    subjectKey: text('subject_key').notNull(),
    subjectPersonId: uuid('subject_person_id').references(() => people.id),
    subjectEmail: text('subject_email'),
    state: text('state').notNull(),
    priority: text('priority').notNull(),
    version: integer('version').notNull().default(1),
    machineVersion: integer('machine_version').notNull(),
    snapshot: jsonb('snapshot').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    ...timestamps,
  },
  (table) => [
    uniqueIndex('cases_key_key').on(table.key),
    // A subject has at most one open case; the index enforces it under concurrent intake.
    uniqueIndex('cases_one_open_per_subject')
      .on(table.subjectKey)
      .where(sql`${table.state} <> 'closed'`),
    index('cases_state_idx').on(table.state),
    index('cases_subject_idx').on(table.subjectKey, table.closedAt),
  ],
);

/** Normalised detection signals. One row per version of a source record. */
export const signals = pgTable(
  'signals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    /** SHA-256 of the record's canonical JSON: the same record again is a duplicate. */
    contentHash: text('content_hash').notNull(),
    version: integer('version').notNull(),
    kind: text('kind').notNull(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    subjectKey: text('subject_key').notNull(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    severity: text('severity').notNull(),
    riskScore: real('risk_score'),
    title: text('title').notNull(),
    signal: jsonb('signal').notNull(),
    raw: jsonb('raw').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('signals_source_record_version_key').on(
      table.source,
      table.externalId,
      table.contentHash,
    ),
    index('signals_case_idx').on(table.caseId),
  ],
);

/**
 * Append-only audit events, SHA-256 hash-chained per stream (a case id, or a name such as
 * `directory`). `content_digest` is the hash of the event's content, so that a later redaction
 * can replace the content and keep the chain verifiable.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    stream: text('stream').notNull(),
    seq: integer('seq').notNull(),
    caseId: uuid('case_id'),
    type: text('type').notNull(),
    outcome: text('outcome').notNull(),
    actor: text('actor').notNull(),
    actorRole: text('actor_role'),
    at: timestamp('at', { withTimezone: true }).notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    reason: text('reason'),
    data: jsonb('data').notNull(),
    contentDigest: text('content_digest').notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
    redacted: boolean('redacted').notNull().default(false),
  },
  (table) => [
    uniqueIndex('audit_events_stream_seq_key').on(table.stream, table.seq),
    index('audit_events_case_idx').on(table.caseId),
  ],
);

/** The newest event of each audit stream; locked while appending so that a stream stays a chain. */
export const auditHeads = pgTable('audit_heads', {
  stream: text('stream').primaryKey(),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
});

/** Durable SLA timers. A scheduler fires due rows; leaving a state cancels its rows. */
export const timers = pgTable(
  'timers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    state: text('state').notNull(),
    kind: text('kind').notNull(),
    /** The rung of the state's SLA ladder (workflows/policy.ts) that this timer fires. */
    step: integer('step').notNull().default(0),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    status: text('status').notNull().default('pending'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    firedAt: timestamp('fired_at', { withTimezone: true }),
  },
  (table) => [
    index('timers_due_idx').on(table.dueAt).where(sql`${table.status} = 'pending'`),
    index('timers_case_idx').on(table.caseId),
  ],
);

/** Webhook ids already processed per feed, so that a replayed delivery is rejected. */
export const webhookReceipts = pgTable(
  'webhook_receipts',
  {
    feed: text('feed').notNull(),
    webhookId: text('webhook_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.feed, table.webhookId] })],
);

/**
 * A case's thread per audience and platform. The card is the thread's root message; `root_id`
 * stays null until the outbox has posted it, and every later message of the thread waits for it.
 */
export const caseThreads = pgTable(
  'case_threads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => cases.id),
    audience: text('audience').notNull(),
    platform: text('platform').notNull(),
    /** Channel id; for the manager's direct message, null until the conversation is opened. */
    channel: text('channel'),
    rootId: text('root_id'),
    /** Set when the thread cannot be delivered (subject in the channel, manager unreachable). */
    blockedReason: text('blocked_reason'),
    /**
     * Set when the thread stopped following the case, such as the direct message to a manager
     * who was replaced; the case's current thread for that audience is the one without it.
     */
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('case_threads_case_audience_key')
      .on(table.caseId, table.audience, table.platform)
      .where(sql`${table.retiredAt} is null`),
  ],
);

/**
 * Chat messages to deliver, written in the transaction of the case change they announce. The
 * delivery worker sends each thread's rows in id order, one at a time.
 */
export const outbox = pgTable(
  'outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    threadId: uuid('thread_id')
      .notNull()
      .references(() => caseThreads.id),
    caseId: uuid('case_id').notNull(),
    /**
     * `card`: post or update the thread's card from the case as it is at delivery; `reply`: a
     * notice in the thread; `direct`: a text to one person by direct message, sent on the thread's
     * platform.
     */
    kind: text('kind').notNull(),
    payload: jsonb('payload').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** While a worker delivers the row; another worker takes it over after this time. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    messageId: text('message_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    index('outbox_pending_idx')
      .on(table.threadId, table.id)
      .where(sql`${table.status} = 'pending'`),
  ],
);

/** Slack or Teams user ids resolved to directory e-mail addresses, so that each click needs no API call. */
export const chatIdentities = pgTable(
  'chat_identities',
  {
    platform: text('platform').notNull(),
    userId: text('user_id').notNull(),
    email: text('email'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.platform, table.userId] })],
);

/** Idempotency keys of inbound chat deliveries (Slack event ids, action timestamps, Teams activity ids). */
export const inboundReceipts = pgTable('inbound_receipts', {
  key: text('key').primaryKey(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Secrets the bot generates for itself, such as the pseudonym key, when none is configured. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export * from './schema-console.ts';
export * from './schema-files.ts';
export * from './schema-incydr.ts';
export * from './schema-privacy.ts';
export * from './schema-scim.ts';
export * from './schema-watch.ts';
