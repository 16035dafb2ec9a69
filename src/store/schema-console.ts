import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  jsonb,
  pgTable,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';

/**
 * Messages of the local console chat, the console's equivalent of a Slack channel's history: case
 * cards (the audience's rendered view), thread replies, direct messages and private replies. They
 * are stored so that the console shows the same threads after a restart.
 */
export const consoleMessages = pgTable(
  'console_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The channel name from `routing.<audience>.console`, or `dm:<email>` for a direct message. */
    channel: text('channel').notNull(),
    /** The id of the thread's root message, or null for a top-level message. */
    threadRootId: bigint('thread_root_id', { mode: 'number' }),
    /** `card` (content.view), `text` (content.text) or `form` (content.form). */
    kind: text('kind').notNull(),
    /** `casebridge` for the bot, otherwise the e-mail address of the person who wrote it. */
    author: text('author').notNull(),
    /** Set for a private reply: only this person sees it, as with Slack's ephemeral messages. */
    visibleTo: text('visible_to'),
    caseId: uuid('case_id'),
    content: jsonb('content').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('console_messages_channel_idx').on(table.channel, table.id),
    index('console_messages_thread_idx')
      .on(table.threadRootId)
      .where(sql`${table.threadRootId} is not null`),
  ],
);
