import { saveCursor } from './cursor-store.ts';
import type { IncydrResponse } from './incydr-client.ts';
import {
  failWindow,
  finishWindow,
  type OpenWindow,
  type PageHandler,
  parseJsonObject,
  type StreamDeps,
  StreamRun,
  type StreamRunResult,
} from './stream-run.ts';

/** The window term: when Incydr inserted the event into its search, so late-arriving events still fall in a later window. */
const windowTerm = 'event.inserted';

/** Builds the body of `POST /v2/file-events` for one page of a window, sorted by insertion time. */
export function fileEventsQuery(
  window: { start: Date; end: Date },
  pageToken: string,
  pageSize: number,
) {
  return {
    groupClause: 'AND',
    groups: [
      {
        filterClause: 'AND',
        filters: [
          { term: windowTerm, operator: 'ON_OR_AFTER', value: window.start.toISOString() },
          { term: windowTerm, operator: 'ON_OR_BEFORE', value: window.end.toISOString() },
        ],
      },
    ],
    pgNum: 1,
    pgSize: pageSize,
    pgToken: pageToken,
    srtDir: 'asc',
    srtKey: windowTerm,
  };
}

type FileEventsPage =
  | { ok: true; records: unknown[]; nextPgToken: string | null }
  | { ok: false; reason: string };

/** Reads a search response; a 4xx, a body that is not JSON or a page without `fileEvents` is bad. */
export function readFileEventsPage(response: IncydrResponse): FileEventsPage {
  if (response.status >= 300) return { ok: false, reason: `HTTP ${response.status}` };
  const body = parseJsonObject(response.text);
  if (body === null) return { ok: false, reason: 'the response is not a JSON object' };
  if (!Array.isArray(body.fileEvents))
    return { ok: false, reason: 'the response has no fileEvents array' };
  const next = body.nextPgToken;
  return {
    ok: true,
    records: body.fileEvents,
    nextPgToken: typeof next === 'string' && next !== '' ? next : null,
  };
}

/** Returns the latest `event.inserted` of the records, or `after` when none is later. */
function latestInserted(records: unknown[], after: Date | null): Date | null {
  let latest = after;
  for (const record of records) {
    const inserted = (record as { event?: { inserted?: unknown } } | null)?.event?.inserted;
    const at = typeof inserted === 'string' ? Date.parse(inserted) : Number.NaN;
    if (!Number.isNaN(at) && (latest === null || at > latest.getTime())) latest = new Date(at);
  }
  return latest;
}

/**
 * Pulls the window's file events page by page with `pgToken` cursors and hands each page to
 * `onPage`. The cursor is saved after each handled page, so a restart resumes at the next page.
 *
 * A bad page has no usable `nextPgToken`, so the pages after it cannot be reached by token. The
 * pull then restarts the window's query, without a token, at the latest `event.inserted` handed on
 * (or the window start) plus `badPageSkipSeconds`. The events inserted in that skipped span are not
 * pulled; the log line `incydr page skipped` names the span so that it can be pulled again.
 */
export async function pullFileEvents(
  deps: StreamDeps,
  window: OpenWindow,
  onPage: PageHandler,
): Promise<StreamRunResult> {
  const run = new StreamRun('file-events', window);
  const log = deps.logger.child({ stream: 'file-events' });
  const skipMs = deps.settings.badPageSkipSeconds * 1000;
  let start = window.start;
  let token = window.pageToken;
  // Only events of this window count; a cursor from an earlier window is before `start`.
  let lastEventAt =
    window.lastEventAt !== null && window.lastEventAt > start ? window.lastEventAt : null;

  try {
    for (;;) {
      const response = await deps.client.request({
        method: 'POST',
        path: '/v2/file-events',
        body: fileEventsQuery({ start, end: window.end }, token, deps.settings.fileEventsPageSize),
      });
      const page = readFileEventsPage(response);

      if (!page.ok) {
        const skipFrom = lastEventAt ?? start;
        const skipTo = new Date(skipFrom.getTime() + skipMs);
        run.skipPage(`file-events page after ${skipFrom.toISOString()}: ${page.reason}`);
        log.warn(
          { reason: page.reason, skipFrom: skipFrom.toISOString(), skipTo: skipTo.toISOString() },
          'incydr page skipped; events inserted in the span are not pulled',
        );
        if (skipTo > window.end) return await finishWindow(deps, run);
        start = skipTo;
        token = '';
        await saveCursor(deps.db, 'file-events', {
          windowStart: start,
          pageToken: token,
          lastError: run.lastError,
          ...run.counters(),
        });
        continue;
      }

      if (page.records.length > 0) {
        const handled = await onPage({ stream: 'file-events', records: page.records });
        run.addPage(page.records.length, handled);
        lastEventAt = latestInserted(page.records, lastEventAt);
      }
      if (page.nextPgToken === null || page.records.length === 0)
        return await finishWindow(deps, run);

      token = page.nextPgToken;
      await saveCursor(deps.db, 'file-events', {
        windowStart: start,
        pageToken: token,
        lastEventAt,
        ...run.counters(),
      });
    }
  } catch (error) {
    return failWindow(deps, run, error, start);
  }
}
