import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { FeedName } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import { parseFeed } from '../feeds/parse-feed.ts';
import type { RejectedRecord, Signal } from '../feeds/signal.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { WatchlistContext } from '../people/watchlists.ts';
import { asDatabaseUnavailable, type Db, type Executor, sqlState } from '../store/db.ts';
import { webhookReceipts } from '../store/schema.ts';
import { ingestBatch, type SignalOutcome, type SignalResult } from './ingest-batch.ts';

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
  /** Writes the chat messages of the cases intake opens or changes; none without a chat platform. */
  notifier?: CaseNotifier;
  /** The business calendar SLA due times are counted in; the default calendar when absent. */
  calendar?: BusinessCalendar;
  /** Watchlist windows for watch rules; the configuration defaults when absent. */
  watch?: WatchlistContext;
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

  const count = (results: SignalResult[]) => {
    for (const { outcome } of results) {
      if (outcome === 'created') summary.created++;
      else if (outcome === 'grouped') summary.grouped++;
      else summary.duplicates++;
      deps.onSignal?.(input.feed, outcome);
    }
  };
  const records = parsed.accepted.map((record) => record.signal);
  const ingestChunk = (tx: Executor, chunk: Signal[]) =>
    ingestBatch(tx, chunk, {
      reopenWindowHours: deps.reopenWindowHours,
      now: now(),
      notifier: deps.notifier,
      calendar: deps.calendar,
      watch: deps.watch,
    });

  try {
    if (input.atomic) {
      // One transaction for the whole delivery, so a failure stores none of it.
      const results = await withRetry(() =>
        deps.db.transaction(async (tx) => {
          if (input.webhookId !== undefined) await recordWebhookId(tx, input.feed, input.webhookId);
          const all: SignalResult[] = [];
          for (const chunk of chunks(records)) all.push(...(await ingestChunk(tx, chunk)));
          return all;
        }),
      );
      count(results);
    } else {
      // A transaction per chunk: a large file is stored as it is read, each chunk whole or not at all.
      for (const chunk of chunks(records)) {
        count(await withRetry(() => deps.db.transaction((tx) => ingestChunk(tx, chunk))));
      }
    }
  } catch (error) {
    throw asDatabaseUnavailable(error);
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

/** Records per intake transaction; bounds statement sizes (a signal row has 15 parameters). */
const CHUNK_SIZE = 500;

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += CHUNK_SIZE)
    yield items.slice(start, start + CHUNK_SIZE);
}

/** SQLSTATEs after which the same transaction may succeed when run again. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);

/**
 * Runs an intake transaction again when it lost a race: a deadlock, a serialization failure, or a
 * person reopening a case of the same subject at the same moment (the one-open-case index).
 */
async function withRetry<T>(run: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= attempts || state === undefined || !RETRYABLE.has(state)) throw error;
    }
  }
}
