import { type CursorChange, saveCursor } from './cursor-store.ts';
import type { IncydrRequest, IncydrResponse } from './incydr-client.ts';
import type { IncydrStream } from './settings.ts';
import {
  failWindow,
  finishWindow,
  type OpenWindow,
  type PageHandler,
  type StreamDeps,
  StreamRun,
  type StreamRunResult,
} from './stream-run.ts';

/** A page that could not be read, with the reason for the log and the cursor's `lastError`. */
export interface BadPage {
  ok: false;
  reason: string;
}

/** A stream's decision on a bad page: what the run records and logs, and the next page. */
export interface PageSkip<Position> {
  /** The run's `lastError`, naming the page. */
  error: string;
  /** Fields of the `incydr page skipped` warning, besides the reason. */
  logFields: Record<string, unknown>;
  logMessage: string;
  /** The page the pull requests next, or null when the skip ends the window. */
  next: Position | null;
}

/** The progress of a run that a stream may save in its cursor. */
export interface PullProgress {
  lastEventAt: Date | null;
  lastError: string | null;
}

/**
 * The parts of a paged Incydr stream that differ between streams: how a page is addressed
 * (`Position`), requested and read, and what a bad page does to the position and the cursor.
 */
export interface PagedStream<Position, Page extends { ok: true; records: unknown[] }> {
  stream: IncydrStream;
  /** The page the run starts at, from the window's saved cursor. */
  first: Position;
  /** The latest event time handed on before this run, as the stream counts it. */
  lastEventAt: Date | null;
  request(position: Position): IncydrRequest;
  readPage(response: IncydrResponse): Page | BadPage;
  /** The latest event time of the records, or `after` when none is later. */
  latestEventAt(records: unknown[], after: Date | null): Date | null;
  /** The page after a handled one, or null when that one was the last. */
  nextPosition(position: Position, page: Page): Position | null;
  skipPage(position: Position, reason: string, lastEventAt: Date | null): PageSkip<Position>;
  /** The cursor fields saved on reaching `position`, after a handled page or after a skip. */
  cursorAt(
    position: Position,
    progress: PullProgress,
    after: 'page' | 'skip',
  ): CursorChange & { windowStart: Date };
  /** The window start a failed run saves, so that the next run resumes at `position`. */
  windowStartAt(position: Position): Date;
}

/**
 * Pulls a stream's window page by page and hands each page to `onPage`. The cursor is saved after
 * each handled or skipped page, so a restart resumes at the next page. A bad page is counted,
 * logged at warn as `incydr page skipped` and passed over as the stream's `skipPage` decides. The
 * run ends when the stream has no next page, and fails, keeping the cursor, when a request or the
 * handler throws or too many pages were bad.
 */
export async function pullPages<Position, Page extends { ok: true; records: unknown[] }>(
  deps: StreamDeps,
  window: OpenWindow,
  onPage: PageHandler,
  stream: PagedStream<Position, Page>,
): Promise<StreamRunResult> {
  const run = new StreamRun(stream.stream, window);
  const log = deps.logger.child({ stream: stream.stream });
  let position = stream.first;
  let lastEventAt = stream.lastEventAt;

  try {
    for (;;) {
      const response = await deps.client.request(stream.request(position));
      const page = stream.readPage(response);

      if (!page.ok) {
        const skip = stream.skipPage(position, page.reason, lastEventAt);
        run.skipPage(skip.error);
        log.warn({ reason: page.reason, ...skip.logFields }, skip.logMessage);
        if (skip.next === null) return await finishWindow(deps, run);

        position = skip.next;
        await saveCursor(deps.db, stream.stream, {
          ...stream.cursorAt(position, { lastEventAt, lastError: run.lastError }, 'skip'),
          ...run.counters(),
        });
        continue;
      }

      if (page.records.length > 0) {
        const handled = await onPage({ stream: stream.stream, records: page.records });
        run.addPage(page.records.length, handled);
        lastEventAt = stream.latestEventAt(page.records, lastEventAt);
      }
      const next = stream.nextPosition(position, page);
      if (next === null) return await finishWindow(deps, run);

      position = next;
      await saveCursor(deps.db, stream.stream, {
        ...stream.cursorAt(position, { lastEventAt, lastError: run.lastError }, 'page'),
        ...run.counters(),
      });
    }
  } catch (error) {
    return failWindow(deps, run, error, stream.windowStartAt(position));
  }
}
