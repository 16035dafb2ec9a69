import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { RejectedRecord } from '../feeds/signal.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { WatchlistContext } from '../people/watchlists.ts';
import { asDatabaseUnavailable, type Db } from '../store/db.ts';
import { utcDay } from './baseline.ts';
import { loadRegistryIndex } from './critical-file-registry.ts';
import { type FileEvent, toFileEvent } from './file-event.ts';
import { ensureFileEventPartitions } from './file-event-partitions.ts';
import type { LoadedFileRules } from './file-rules.ts';
import {
  type BatchCounts,
  processFileEventBatch,
  type WatchRulePreparer,
} from './process-file-event-batch.ts';
import { type FileEventInput, readFileEventInput } from './read-file-event-input.ts';
import { recordFileRulesVersion } from './record-file-rules-version.ts';

export interface FileIngestDeps {
  db: Db;
  logger: Logger;
  rules: LoadedFileRules;
  reopenWindowHours: number;
  notifier?: CaseNotifier | undefined;
  calendar?: BusinessCalendar | undefined;
  now?: () => Date;
  /** Events per transaction; bounds memory and statement sizes. */
  batchSize?: number;
  /** Prepares, per batch, the hook that decides whether a watch rule makes an event's subject worth a case. */
  watchRule?: WatchRulePreparer | undefined;
  /** Watchlist windows and time zone for the watch reasons on cases; the configuration defaults when absent. */
  watch?: WatchlistContext | undefined;
}

export interface FileIngestSummary {
  /** Valid events, stored or already stored. */
  accepted: number;
  /** Accepted events a suppression rule matched. */
  suppressed: number;
  /** Accepted events whose file is in the critical-file registry. */
  matchedCritical: number;
  /** Accepted events stored before (same source, id and time). */
  duplicates: number;
  /** Subjects whose new case the per-subject throttle held back. */
  throttled: number;
  rejected: RejectedRecord[];
  casesOpened: number;
  casesUpdated: number;
}

/** Default events per transaction: 1,000 rows of 23 columns stay far below 65,535 parameters. */
export const DEFAULT_FILE_BATCH_SIZE = 1000;

/**
 * Ingests raw file events at volume: parses them, stores them in the day-partitioned
 * `file_events` table in batches, matches them against the critical-file registry and the noise
 * rules, updates the daily baselines, and opens or updates one case per subject only when a
 * critical file, an anomaly, a flag rule or a watch rule makes it worth it.
 *
 * `input` is the API's `fileEvents` array, NDJSON or page text, or a stream of either. Each batch
 * is one transaction; a rejected record is counted with its index and the others are kept.
 */
export async function ingestFileEvents(
  deps: FileIngestDeps,
  input: FileEventInput,
): Promise<FileIngestSummary> {
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.batchSize ?? DEFAULT_FILE_BATCH_SIZE;
  const summary: FileIngestSummary = {
    accepted: 0,
    suppressed: 0,
    matchedCritical: 0,
    duplicates: 0,
    throttled: 0,
    rejected: [],
    casesOpened: 0,
    casesUpdated: 0,
  };

  try {
    await deps.db.transaction((tx) => recordFileRulesVersion(tx, deps.rules, now()));
    const registry = await loadRegistryIndex(deps.db);
    const partitions = new Set<string>();

    const flush = async (batch: FileEvent[]) => {
      const days = [...new Set(batch.map((event) => utcDay(event.observedAt)))];
      const missing = days.filter((day) => !partitions.has(day));
      if (missing.length > 0) {
        await ensureFileEventPartitions(deps.db, missing);
        for (const day of missing) partitions.add(day);
      }
      const counts = await deps.db.transaction((tx) =>
        processFileEventBatch(tx, batch, {
          registry,
          rules: deps.rules.rules,
          now: now(),
          reopenWindowHours: deps.reopenWindowHours,
          notifier: deps.notifier,
          calendar: deps.calendar,
          watchRule: deps.watchRule,
          watch: deps.watch,
        }),
      );
      addCounts(summary, counts);
    };

    let batch: FileEvent[] = [];
    for await (const record of readFileEventInput(input)) {
      if ('error' in record) {
        summary.rejected.push({ index: record.index, reason: record.error });
        continue;
      }
      const outcome = toFileEvent(record.value);
      if (!outcome.ok) {
        summary.rejected.push({ index: record.index, reason: outcome.reason });
        continue;
      }
      batch.push(outcome.event);
      if (batch.length >= batchSize) {
        await flush(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await flush(batch);
  } catch (error) {
    throw asDatabaseUnavailable(error);
  }

  deps.logger.info(
    {
      accepted: summary.accepted,
      suppressed: summary.suppressed,
      matchedCritical: summary.matchedCritical,
      duplicates: summary.duplicates,
      rejected: summary.rejected.length,
      casesOpened: summary.casesOpened,
      casesUpdated: summary.casesUpdated,
    },
    'file events ingested',
  );
  return summary;
}

function addCounts(summary: FileIngestSummary, counts: BatchCounts): void {
  summary.accepted += counts.accepted;
  summary.suppressed += counts.suppressed;
  summary.matchedCritical += counts.matchedCritical;
  summary.duplicates += counts.duplicates;
  summary.throttled += counts.throttled;
  summary.casesOpened += counts.casesOpened;
  summary.casesUpdated += counts.casesUpdated;
}
