import { eq } from 'drizzle-orm';
import { loadPseudonymKey } from '../../src/cases/pseudonym.ts';
import { loadCaseView } from '../../src/chat/load-case-view.ts';
import { createSlackClient, SlackChatPort } from '../../src/chat/slack/slack-port.ts';
import { createOutboxWorker, type OutboxWorkerDeps } from '../../src/outbox/outbox-worker.ts';
import type { Db } from '../../src/store/db.ts';
import { outbox } from '../../src/store/schema.ts';
import { silentLogger } from './builders.ts';
import type { FakeSlackApi } from './fake-slack-api.ts';
import type { TestClock } from './test-clock.ts';

/** Delivery rounds before `drainOutbox` gives up on a message that stays pending. */
const maxRounds = 100;

export interface DrainOutboxOptions {
  db: Db;
  slack: FakeSlackApi;
  /** The bot token; the fake accepts any `xox…` token unless it was started with one. */
  token?: string;
  /** The clock the worker reads. */
  clock: TestClock;
  /** True to render the subject's identity on cards while an approved reveal lasts, as the outbox does. */
  includeReveal?: boolean;
  channelLocale?: OutboxWorkerDeps['channelLocale'];
  /** The audiences' channels, where alerts go for a case without a thread there. */
  routing?: OutboxWorkerDeps['routing'];
  /** The worker's logger; silent when absent. */
  logger?: OutboxWorkerDeps['logger'];
}

/**
 * Delivers every pending outbox message to the fake Slack Web API through a new outbox worker.
 * After each round that leaves a message pending, the clock moves one second, past Slack's
 * per-channel pace. Returns the number of rounds that left a message pending, and throws when
 * messages are still pending after 100 rounds.
 */
export async function drainOutbox(options: DrainOutboxOptions): Promise<number> {
  const { db, clock } = options;
  const port = new SlackChatPort(
    createSlackClient({
      token: options.token ?? 'xoxb-test',
      slackApiUrl: options.slack.url,
      logger: silentLogger,
    }),
  );
  const worker = createOutboxWorker({
    db,
    logger: options.logger ?? silentLogger,
    ports: { slack: port },
    renderView: async (caseId, audience, locale) =>
      loadCaseView(
        db,
        await loadPseudonymKey(db),
        caseId,
        audience,
        locale,
        options.includeReveal === true ? { includeReveal: true, now: clock.now() } : {},
      ),
    channelLocale: options.channelLocale,
    routing: options.routing,
    now: clock.now,
    memberCacheMs: 0,
  });

  for (let round = 0; round < maxRounds; round++) {
    await worker.runOnce();
    const pending = await db.select().from(outbox).where(eq(outbox.status, 'pending'));
    if (pending.length === 0) return round;
    clock.advance(1000);
  }
  throw new Error(`outbox did not drain within ${maxRounds} rounds`);
}
