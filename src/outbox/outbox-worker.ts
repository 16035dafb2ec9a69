import { and, eq } from 'drizzle-orm';
import type { Audience } from '../chat/actions.ts';
import type { Locale } from '../chat/messages/index.ts';
import type { ChannelMembers, ChatPlatform, ChatPort } from '../chat/port.ts';
import type { CaseView } from '../chat/view-model.ts';
import type { FileConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { caseThreads, outbox } from '../store/schema.ts';
import { type ClaimedMessage, claimOutbox } from './claim-outbox.ts';
import { type AlertPayload, alertAudiences } from './deliver-alert.ts';
import { type DeliveryOutcome, deliverMessage } from './deliver-message.ts';

export interface OutboxWorkerDeps {
  db: Db;
  logger: Logger;
  ports: Partial<Record<ChatPlatform, ChatPort>>;
  renderView(caseId: string, audience: Audience, locale: Locale): Promise<CaseView>;
  /** The locale of an audience's channel on a platform; English when absent. */
  channelLocale?: (audience: Exclude<Audience, 'manager'>, platform: string) => Locale;
  /** The audiences' channels, where alerts go for a case that has no thread there; none when absent. */
  routing?: FileConfig['routing'];
  now?: () => Date;
  /** Threads served per round. */
  batchSize?: number;
  /** How long a claimed message stays with this worker before another may take it over. */
  leaseMs?: number;
  /** Pause between rounds that found nothing to deliver. */
  idleMs?: number;
  /** Failed attempts (rate limits excluded) before a message is given up as dead. */
  maxAttempts?: number;
  /** Minimum time between two posts to one channel, in milliseconds; by default per platform (Slack 1 s, Teams 2 s). */
  channelIntervalMs?: number;
  /** How long a channel's member list is trusted by the tipping-off guard. */
  memberCacheMs?: number;
}

/**
 * Minimum time between two new messages in one channel, per platform. Slack's limit is about one
 * message per second per channel; Teams allows 7 per second but only 1,800 per hour per
 * conversation, which one every 2 s keeps within.
 */
const defaultChannelIntervalMs: Record<ChatPlatform, number> = {
  slack: 1000,
  teams: 2000,
  console: 0,
};

export interface OutboxWorker {
  /** Delivers one round of messages; returns how many were handled. */
  runOnce(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The delivery worker: claims each thread's next message, delivers it through the platform's chat
 * port, and records the outcome. Rate limits, the per-channel pace and transient failures push the
 * message back with a due time; permanent failures mark it dead. A message whose post succeeded but
 * whose outcome was not recorded (the process died in between) is posted again after its lease ends.
 */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.batchSize ?? 20;
  const leaseMs = deps.leaseMs ?? 60_000;
  const idleMs = deps.idleMs ?? 200;
  const maxAttempts = deps.maxAttempts ?? 10;
  const intervalFor = (platform: string): number =>
    deps.channelIntervalMs ?? defaultChannelIntervalMs[platform as ChatPlatform] ?? 1000;
  const memberCacheMs = deps.memberCacheMs ?? 60_000;
  const channelReadyAt = new Map<string, number>();
  const members = new Map<string, { members: ChannelMembers; until: number }>();
  let running = false;
  let loop: Promise<void> | null = null;

  const channelMembers = async (port: ChatPort, channel: string): Promise<ChannelMembers> => {
    const key = `${port.platform}:${channel}`;
    const cached = members.get(key);
    if (cached !== undefined && cached.until > now().getTime()) return cached.members;
    const listed = await port.channelMembers({ platform: port.platform, channel });
    const found = {
      emails: listed.emails.map((email) => email.toLowerCase()),
      unidentified: listed.unidentified,
    };
    members.set(key, { members: found, until: now().getTime() + memberCacheMs });
    return found;
  };

  const deliver = async (claimed: ClaimedMessage): Promise<void> => {
    const { message, thread } = claimed;
    // The pace applies to new messages; updating a card in place is not a post.
    const posts = !(message.kind === 'card' && thread.rootId !== null);
    const gateKey = `${thread.platform}:${thread.channel ?? `dm:${thread.id}`}`;
    const readyAt = posts ? (channelReadyAt.get(gateKey) ?? 0) : 0;
    const started = now();
    let outcome: DeliveryOutcome;
    if (readyAt > started.getTime()) {
      outcome = {
        status: 'retry',
        at: new Date(readyAt),
        reason: 'channel pace',
        countsAsAttempt: false,
      };
    } else {
      outcome = await deliverMessage(claimed, {
        db: deps.db,
        port: deps.ports[thread.platform as ChatPlatform],
        renderView: deps.renderView,
        channelLocale: deps.channelLocale ?? (() => 'en'),
        routing: deps.routing ?? {},
        channelMembers,
        now: started,
        maxAttempts,
      });
      if (outcome.status === 'sent' && posts)
        channelReadyAt.set(gateKey, started.getTime() + intervalFor(thread.platform));
      if (outcome.status === 'retry' && !outcome.countsAsAttempt)
        channelReadyAt.set(gateKey, outcome.at.getTime());
    }
    await recordOutcome(deps.db, claimed, outcome, now());
    logOutcome(deps.logger, claimed, outcome);
  };

  const runOnce = async (): Promise<number> => {
    const claimed = await claimOutbox(deps.db, now(), batchSize, leaseMs);
    // Messages of one channel go one after the other, so the channel pace holds; channels run in parallel.
    const byChannel = new Map<string, ClaimedMessage[]>();
    for (const item of claimed) {
      const key = `${item.thread.platform}:${item.thread.channel ?? item.thread.id}`;
      byChannel.set(key, [...(byChannel.get(key) ?? []), item]);
    }
    await Promise.all(
      [...byChannel.values()].map(async (items) => {
        for (const item of items) await deliver(item);
      }),
    );
    return claimed.length;
  };

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          let handled = 0;
          try {
            handled = await runOnce();
          } catch (error) {
            deps.logger.error({ err: error }, 'outbox round failed');
          }
          if (handled === 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
        }
      })();
    },
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Records a delivery's outcome: the message's status, and the thread's root or block. */
async function recordOutcome(
  db: Db,
  { message, thread }: ClaimedMessage,
  outcome: DeliveryOutcome,
  at: Date,
): Promise<void> {
  await db.transaction(async (tx) => {
    if (outcome.status === 'sent') {
      await tx
        .update(outbox)
        .set({
          status: 'sent',
          sentAt: at,
          leaseUntil: null,
          messageId: outcome.messageId,
          lastError: null,
          ...(outcome.alerted === undefined
            ? {}
            : { payload: { ...(message.payload as AlertPayload), alerted: outcome.alerted } }),
        })
        .where(eq(outbox.id, message.id));
      if (outcome.thread !== undefined) {
        await tx
          .update(caseThreads)
          .set({ channel: outcome.thread.channel, rootId: outcome.thread.rootId })
          .where(eq(caseThreads.id, thread.id));
      }
      return;
    }

    if (outcome.status === 'retry') {
      await tx
        .update(outbox)
        .set({
          nextAttemptAt: outcome.at,
          leaseUntil: null,
          lastError: outcome.reason,
          attempts: outcome.countsAsAttempt ? message.attempts : message.attempts - 1,
        })
        .where(eq(outbox.id, message.id));
      return;
    }

    await tx
      .update(outbox)
      .set({ status: 'dead', leaseUntil: null, lastError: outcome.reason })
      .where(eq(outbox.id, message.id));
    if (outcome.blockThread !== undefined) {
      await tx
        .update(caseThreads)
        .set({ blockedReason: outcome.blockThread })
        .where(eq(caseThreads.id, thread.id));
      // Nothing else can be delivered in a blocked thread; end its queue now rather than one by one.
      await tx
        .update(outbox)
        .set({ status: 'dead', lastError: `thread blocked: ${outcome.blockThread}` })
        .where(and(eq(outbox.threadId, thread.id), eq(outbox.status, 'pending')));
    }
    if (outcome.alert !== undefined) {
      // The alert waits in this thread, after the rows just ended, and picks its channel when sent.
      const payload: AlertPayload = {
        text: outcome.alert.text,
        audiences: alertAudiences(outcome.alert.audience, thread.audience as Audience),
      };
      await tx
        .insert(outbox)
        .values({ threadId: thread.id, caseId: message.caseId, kind: 'alert', payload });
    }
  });
}

function logOutcome(
  logger: Logger,
  { message, thread }: ClaimedMessage,
  outcome: DeliveryOutcome,
): void {
  const fields = {
    outboxId: message.id,
    caseId: message.caseId,
    audience: thread.audience,
    platform: thread.platform,
    kind: message.kind,
  };
  if (outcome.status === 'sent') logger.debug(fields, 'chat message delivered');
  else if (outcome.status === 'retry') {
    logger.info(
      {
        ...fields,
        reason: outcome.reason,
        retryAt: outcome.at.toISOString(),
        attempts: message.attempts,
      },
      'chat delivery deferred',
    );
  } else
    logger.error(
      {
        ...fields,
        caseKey: outcome.caseKey,
        reason: outcome.reason,
        blocked: outcome.blockThread,
      },
      'chat delivery failed for good',
    );
}
