import { describeError } from '../describe-error.ts';
import { CasebridgeError, isCasebridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { loadCursor, saveCursor } from './cursor-store.ts';
import type { IncydrClient } from './incydr-client.ts';
import type { IncydrSettings, IncydrStream } from './settings.ts';

/** A page of records handed on; the handler may return counts, which the run adds up. */
export interface IncydrPage {
  stream: IncydrStream;
  records: unknown[];
}
export type PageHandler = (page: IncydrPage) => Promise<Record<string, number> | undefined>;

export interface StreamDeps {
  db: Db;
  client: IncydrClient;
  settings: IncydrSettings;
  logger: Logger;
  now: () => Date;
}

export interface StreamRunResult {
  stream: IncydrStream;
  status: 'succeeded' | 'partial' | 'failed';
  window: { from: string; to: string } | null;
  pages: number;
  records: number;
  skippedPages: number;
  /** The sums of the counts the page handler returned, such as intake's created and duplicates. */
  handled: Record<string, number>;
  error?: { code: string; message: string };
}

/** Bad pages one run of a stream skips before it stops and reports the stream failed. */
export const maxSkippedPagesPerRun = 50;

/** The window a run pulls: the one in progress when a run stopped inside it, or the next one. */
export interface OpenWindow {
  start: Date;
  end: Date;
  pageToken: string;
  pageNumber: number;
  lastEventAt: Date | null;
  resumed: boolean;
}

/**
 * Opens the run's window: resumes the window a previous run left open, or starts a new one from
 * the end of the last window (the first pull reaches `firstPullHours` back) up to `settleSeconds`
 * before now. Returns null when the new window would be empty.
 */
export async function openWindow(
  deps: StreamDeps,
  stream: IncydrStream,
): Promise<OpenWindow | null> {
  const cursor = await loadCursor(deps.db, stream);
  const now = deps.now();
  const started = { lastRunStatus: 'running', lastRunStartedAt: now, lastRunFinishedAt: null };

  if (cursor?.windowEnd != null) {
    await saveCursor(deps.db, stream, { windowStart: cursor.windowStart, ...started });
    return {
      start: cursor.windowStart,
      end: cursor.windowEnd,
      pageToken: cursor.pageToken ?? '',
      pageNumber: cursor.pageNumber ?? 0,
      lastEventAt: cursor.lastEventAt,
      resumed: true,
    };
  }

  const start =
    cursor?.windowStart ?? new Date(now.getTime() - deps.settings.firstPullHours * 3_600_000);
  const end = new Date(now.getTime() - deps.settings.settleSeconds * 1000);
  if (end <= start) return null;
  await saveCursor(deps.db, stream, {
    windowStart: start,
    windowEnd: end,
    pageToken: '',
    pageNumber: 0,
    ...started,
  });
  return {
    start,
    end,
    pageToken: '',
    pageNumber: 0,
    lastEventAt: cursor?.lastEventAt ?? null,
    resumed: false,
  };
}

/** Counters of one run of a stream. */
export class StreamRun {
  pages = 0;
  records = 0;
  skippedPages = 0;
  lastError: string | null = null;
  readonly handled: Record<string, number> = {};

  constructor(
    readonly stream: IncydrStream,
    readonly window: OpenWindow,
  ) {}

  /** Adds a handled page's records and the counts its handler returned. */
  addPage(count: number, handled: Record<string, number> | undefined): void {
    this.pages++;
    this.records += count;
    for (const [key, value] of Object.entries(handled ?? {})) {
      this.handled[key] = (this.handled[key] ?? 0) + value;
    }
  }

  /** Counts a skipped page; stops the run when too many pages of it were bad. */
  skipPage(reason: string): void {
    this.skippedPages++;
    this.lastError = reason;
    if (this.skippedPages > maxSkippedPagesPerRun) {
      throw new CasebridgeError(
        'INCYDR_UNAVAILABLE',
        `More than ${maxSkippedPagesPerRun} bad ${this.stream} pages in one pull (last: ${reason}); the pull stopped and the next one resumes here.`,
      );
    }
  }

  counters() {
    return {
      lastRunRecords: this.records,
      lastRunPages: this.pages,
      lastRunSkippedPages: this.skippedPages,
    };
  }

  result(status: StreamRunResult['status'], error?: StreamRunResult['error']): StreamRunResult {
    return {
      stream: this.stream,
      status,
      window: { from: this.window.start.toISOString(), to: this.window.end.toISOString() },
      pages: this.pages,
      records: this.records,
      skippedPages: this.skippedPages,
      handled: this.handled,
      ...(error === undefined ? {} : { error }),
    };
  }
}

/** Closes the window: the next run starts where this one ended. */
export async function finishWindow(deps: StreamDeps, run: StreamRun): Promise<StreamRunResult> {
  const status = run.skippedPages > 0 ? 'partial' : 'succeeded';
  await saveCursor(deps.db, run.stream, {
    windowStart: run.window.end,
    windowEnd: null,
    pageToken: null,
    pageNumber: null,
    lastRunStatus: status,
    lastRunFinishedAt: deps.now(),
    lastError: run.lastError,
    ...run.counters(),
  });
  return run.result(status);
}

/** Records a failed run and keeps the window and page position, so that the next run resumes there. */
export async function failWindow(
  deps: StreamDeps,
  run: StreamRun,
  failure: unknown,
  windowStart: Date,
): Promise<StreamRunResult> {
  const error = describeFailure(failure);
  deps.logger.error(
    { stream: run.stream, code: error.code, err: describeError(failure), pages: run.pages },
    'incydr stream pull failed; the next pull resumes at the saved page',
  );
  await saveCursor(deps.db, run.stream, {
    windowStart,
    lastRunStatus: 'failed',
    lastRunFinishedAt: deps.now(),
    lastError: `${error.code}: ${error.message}`,
    ...run.counters(),
  });
  return run.result('failed', error);
}

function describeFailure(failure: unknown): { code: string; message: string } {
  if (isCasebridgeError(failure)) return { code: failure.code, message: failure.message };
  const description = describeError(failure);
  return { code: 'INTERNAL_ERROR', message: String(description.message ?? description.type) };
}

/** Parses a page body as a JSON object; null when it is not one. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
