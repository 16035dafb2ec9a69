import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { RejectedRecord } from '../feeds/signal.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { WatchlistContext } from '../people/watchlists.ts';
import { asDatabaseUnavailable, type Db } from '../store/db.ts';
import { ChunkReader, NOT_YET } from './chunk-reader.ts';
import { loadRegistryIndex } from './critical-file-registry.ts';
import { toFileEvent } from './file-event.ts';
import { ensureFileEventPartitions } from './file-event-partitions.ts';
import {
  FileEventUnit,
  type IngestRun,
  lockFileEventIngest,
  type PreparedEvent,
  prepareFileEvent,
  SubjectCache,
  type UnitCounts,
  type WatchRulePreparer,
} from './file-event-unit.ts';
import type { LoadedFileRules } from './file-rules.ts';
import { type FileEventInput, mapFileEventChunks } from './read-file-event-input.ts';
import { recordFileRulesVersion } from './record-file-rules-version.ts';
import { ActivityBaselines } from './score-activity.ts';

export interface FileIngestDeps {
  db: Db;
  logger: Logger;
  rules: LoadedFileRules;
  reopenWindowHours: number;
  notifier?: CaseNotifier | undefined;
  calendar?: BusinessCalendar | undefined;
  now?: () => Date;
  /** Events per transaction. */
  batchSize?: number;
  /** Prepares, per chunk, the hook that decides whether a watch rule makes an event's subject worth a case. */
  watchRule?: WatchRulePreparer | undefined;
  /** Watchlist windows and time zone for the watch reasons on cases; the configuration defaults when absent. */
  watch?: WatchlistContext | undefined;
  /** Subjects a run keeps resolved before its cache starts over; MAX_CACHED_SUBJECTS by default. */
  subjectCacheLimit?: number;
  /**
   * How long a unit waits for more input before it stores what it has and ends, in milliseconds:
   * a slow stream must not hold the unit's transaction and the ingest lock. 1,000 by default.
   */
  inputWaitMs?: number;
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
  /** Records that were not valid file events. */
  rejectedCount: number;
  /** The first MAX_KEPT_REJECTIONS rejected records, with why each was rejected. */
  rejected: RejectedRecord[];
  casesOpened: number;
  casesUpdated: number;
}

/**
 * Default events per transaction. A unit's rows are streamed to the server as they are read, so
 * only its daily totals and findings stay in memory. A large unit adds each daily total once.
 */
export const DEFAULT_FILE_BATCH_SIZE = 100_000;

/** Events per COPY: the next chunk is read and prepared while the server stores this one. */
const CHUNK_SIZE = 1_000;

/** Chunks read ahead while a unit finishes: 16,000 events, a few hundred milliseconds of input. */
const READ_AHEAD_CHUNKS = 16;

const DEFAULT_INPUT_WAIT_MS = 1_000;

/** Rejected records a summary lists; beyond them it only counts, so bad input cannot fill memory. */
export const MAX_KEPT_REJECTIONS = 1_000;

/**
 * Ingests raw file events at volume: parses them, stores them in the day-partitioned
 * `file_events` table with COPY, matches them against the critical-file registry and the noise
 * rules, updates the daily baselines, and opens or updates one case per subject only when a
 * critical file, an anomaly, a flag rule or a watch rule makes it worth it.
 *
 * `input` is the API's `fileEvents` array, NDJSON or page text, or a stream of either. Events go
 * to the database in units of `batchSize`, one transaction each; a unit ends early when the next
 * events need a new daily partition. A rejected record is counted with its index and the others
 * are kept. One unit at a time, of any process, stores events (an advisory lock), so that two
 * processes ingesting the same events store each once.
 */
export function ingestFileEvents(
  deps: FileIngestDeps,
  input: FileEventInput,
): Promise<FileIngestSummary> {
  return createFileIngest(deps, 0).ingest(input);
}

/** A file-event ingest that keeps its registry and caches between calls; see createFileIngest. */
export interface FileIngest {
  ingest(input: FileEventInput): Promise<FileIngestSummary>;
}

/** How long a pull's ingest keeps its registry, directory and baseline caches between pages. */
export const FILE_INGEST_CACHE_MS = 60_000;

/**
 * Creates an ingest for many inputs in a row, such as the pages of an Incydr pull. Each call works
 * as `ingestFileEvents` does, but the critical-file registry, the resolved subjects and the
 * baselines are loaded once and kept for `cacheMs`, so that a page does not reload them. A
 * registry entry or person added meanwhile is seen once the caches are older than that.
 */
export function createFileIngest(deps: FileIngestDeps, cacheMs = FILE_INGEST_CACHE_MS): FileIngest {
  const now = deps.now ?? (() => new Date());
  let cached: { run: IngestRun; loadedAt: number } | null = null;
  const openRun = async (): Promise<IngestRun> => {
    const started = Date.now();
    if (cached !== null && started - cached.loadedAt < cacheMs) return cached.run;
    await deps.db.transaction((tx) => recordFileRulesVersion(tx, deps.rules, now()));
    const run: IngestRun = {
      registry: await loadRegistryIndex(deps.db),
      rules: deps.rules.rules,
      reopenWindowHours: deps.reopenWindowHours,
      notifier: deps.notifier,
      calendar: deps.calendar,
      watchRule: deps.watchRule,
      watch: deps.watch,
      subjects: new SubjectCache(deps.subjectCacheLimit),
      baselines: new ActivityBaselines(deps.rules.rules),
    };
    cached = { run, loadedAt: started };
    return run;
  };
  return {
    ingest: (input) =>
      ingestWithRun(deps, now, input, openRun).catch((error: unknown) => {
        // A failed unit may leave caches that count events it did not store.
        cached = null;
        throw error;
      }),
  };
}

async function ingestWithRun(
  deps: FileIngestDeps,
  now: () => Date,
  input: FileEventInput,
  openRun: () => Promise<IngestRun>,
): Promise<FileIngestSummary> {
  const batchSize = Math.max(1, deps.batchSize ?? DEFAULT_FILE_BATCH_SIZE);
  const chunkSize = Math.min(batchSize, CHUNK_SIZE);
  const inputWaitMs = deps.inputWaitMs ?? DEFAULT_INPUT_WAIT_MS;
  const summary: FileIngestSummary = {
    accepted: 0,
    suppressed: 0,
    matchedCritical: 0,
    duplicates: 0,
    throttled: 0,
    rejectedCount: 0,
    rejected: [],
    casesOpened: 0,
    casesUpdated: 0,
  };

  try {
    const run = await openRun();
    const partitions = new Set<string>();
    let receivedAt = now().toISOString();
    const records = mapFileEventChunks(input, chunkSize, (record): PreparedEvent | null => {
      const outcome = 'error' in record ? null : toFileEvent(record.value);
      if (outcome === null || !outcome.ok) {
        const reason = outcome === null ? (record as { error: string }).error : outcome.reason;
        summary.rejectedCount++;
        if (summary.rejected.length < MAX_KEPT_REJECTIONS)
          summary.rejected.push({ index: record.index, reason });
        return null;
      }
      return prepareFileEvent(outcome.event, run.registry, run.rules, receivedAt);
    });
    /** Yields the prepared chunks, without rejected records and empty chunks. */
    async function* preparedChunks(): AsyncGenerator<PreparedEvent[]> {
      for await (const chunk of records) {
        receivedAt = now().toISOString();
        const prepared = chunk.filter((event) => event !== null);
        if (prepared.length > 0) yield prepared;
      }
    }
    const reader = new ChunkReader(preparedChunks());
    const newDays = (chunk: readonly PreparedEvent[]) => {
      const days = new Set(chunk.map(({ day }) => day));
      return [...days].filter((day) => !partitions.has(day));
    };

    let pending = await reader.next();
    while (pending !== null) {
      const missing = newDays(pending);
      if (missing.length > 0) {
        await ensureFileEventPartitions(deps.db, missing);
        for (const day of missing) partitions.add(day);
      }
      const counts = await deps.db.transaction(async (tx) => {
        await lockFileEventIngest(tx);
        const unit = new FileEventUnit(tx, run, now());
        try {
          let size = 0;
          while (pending !== null && size < batchSize) {
            if (size > 0 && newDays(pending).length > 0) break;
            await unit.add(pending);
            size += pending.length;
            // Slow input ends the unit: a stalled stream must not hold the transaction and lock.
            const next = size < batchSize ? await reader.nextWithin(inputWaitMs) : null;
            pending = next === NOT_YET ? null : next;
          }
          const finishing = unit.finish();
          // The process parses the next chunks while the server adds totals and opens cases.
          await reader.readWhile(finishing, READ_AHEAD_CHUNKS);
          return await finishing;
        } finally {
          await unit.abandon();
        }
      });
      addCounts(summary, counts);
      pending ??= await reader.next();
    }
  } catch (error) {
    throw asDatabaseUnavailable(error);
  }

  deps.logger.info(
    {
      accepted: summary.accepted,
      suppressed: summary.suppressed,
      matchedCritical: summary.matchedCritical,
      duplicates: summary.duplicates,
      rejected: summary.rejectedCount,
      casesOpened: summary.casesOpened,
      casesUpdated: summary.casesUpdated,
    },
    'file events ingested',
  );
  return summary;
}

function addCounts(summary: FileIngestSummary, counts: UnitCounts): void {
  summary.accepted += counts.accepted;
  summary.suppressed += counts.suppressed;
  summary.matchedCritical += counts.matchedCritical;
  summary.duplicates += counts.duplicates;
  summary.throttled += counts.throttled;
  summary.casesOpened += counts.casesOpened;
  summary.casesUpdated += counts.casesUpdated;
}
