import type { FeedName } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import { parseFeed } from '../feeds/parse-feed.ts';
import type { RejectedRecord } from '../feeds/signal.ts';
import type { Logger } from '../log.ts';
import { asDatabaseUnavailable, type Db, type Executor } from '../store/db.ts';
import { webhookReceipts } from '../store/schema.ts';
import { ingestSignal, type SignalOutcome } from './ingest-signal.ts';

export interface IngestSummary {
  created: number;
  grouped: number;
  duplicates: number;
  rejected: RejectedRecord[];
}

export interface IngestFeedInput {
  feed: FeedName;
  text: string;
  /**
   * True for webhooks: any rejected record rejects the whole delivery and nothing is stored, so the
   * sender can fix and resend it. False for the CLI: valid records are stored one by one.
   */
  atomic: boolean;
  /** The Standard Webhooks `webhook-id`; a second delivery with the same id is rejected. */
  webhookId?: string | undefined;
}

export interface IntakeDeps {
  db: Db;
  logger: Logger;
  reopenWindowHours: number;
  now?: () => Date;
  /** Called once per stored or duplicate signal; the HTTP server counts them for /metrics. */
  onSignal?: (feed: FeedName, outcome: SignalOutcome | 'rejected') => void;
}

export type IngestFeed = (input: IngestFeedInput) => Promise<IngestSummary>;

/** Parses a feed payload and puts every valid record on a case. */
export async function ingestFeed(deps: IntakeDeps, input: IngestFeedInput): Promise<IngestSummary> {
  const parsed = parseFeed(input.feed, input.text);
  const summary: IngestSummary = {
    created: 0,
    grouped: 0,
    duplicates: 0,
    rejected: parsed.rejected,
  };
  for (const _rejected of parsed.rejected) deps.onSignal?.(input.feed, 'rejected');
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ feed: input.feed, webhookId: input.webhookId });

  if (input.atomic && parsed.rejected.length > 0) {
    log.info({ rejected: parsed.rejected.length }, 'feed delivery rejected');
    throw new CasebridgeError(
      'PAYLOAD_INVALID',
      `${parsed.rejected.length} of ${parsed.rejected.length + parsed.accepted.length} records are invalid; nothing was stored. Fix them and send the delivery again.`,
      { details: { rejected: parsed.rejected } },
    );
  }

  const count = (outcome: SignalOutcome) => {
    if (outcome === 'created') summary.created++;
    else if (outcome === 'grouped') summary.grouped++;
    else summary.duplicates++;
    deps.onSignal?.(input.feed, outcome);
  };

  if (input.atomic) {
    const outcomes: SignalOutcome[] = [];
    try {
      await deps.db.transaction(async (tx) => {
        if (input.webhookId !== undefined) await recordWebhookId(tx, input.feed, input.webhookId);
        for (const record of parsed.accepted) {
          const options = { reopenWindowHours: deps.reopenWindowHours, now: now() };
          outcomes.push((await ingestSignal(tx, record.signal, options)).outcome);
        }
      });
    } catch (error) {
      throw asDatabaseUnavailable(error);
    }
    for (const outcome of outcomes) count(outcome);
  } else {
    for (const record of parsed.accepted) {
      const options = { reopenWindowHours: deps.reopenWindowHours, now: now() };
      try {
        const result = await deps.db.transaction((tx) => ingestSignal(tx, record.signal, options));
        count(result.outcome);
      } catch (error) {
        throw asDatabaseUnavailable(error);
      }
    }
  }

  log.info(
    {
      created: summary.created,
      grouped: summary.grouped,
      duplicates: summary.duplicates,
      rejected: summary.rejected.length,
    },
    'feed ingested',
  );
  return summary;
}

/** Records a webhook id in the delivery's transaction; a second delivery with the same id is rejected. */
async function recordWebhookId(tx: Executor, feed: FeedName, webhookId: string): Promise<void> {
  const inserted = await tx
    .insert(webhookReceipts)
    .values({ feed, webhookId })
    .onConflictDoNothing()
    .returning({ webhookId: webhookReceipts.webhookId });
  if (inserted.length === 0) {
    throw new CasebridgeError(
      'WEBHOOK_REPLAYED',
      `Webhook ${webhookId} for feed ${feed} was already processed; nothing was stored.`,
      { details: { webhookId } },
    );
  }
}
