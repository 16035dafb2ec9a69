import type { IncydrResponse } from './incydr-client.ts';
import { pullPages } from './pull-pages.ts';
import {
  type OpenWindow,
  type PageHandler,
  parseJsonObject,
  type StreamDeps,
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
 * or the start of the query that failed, whichever is later, plus `badPageSkipSeconds`. The events inserted in that skipped span are not
 * pulled; the log line `incydr page skipped` names the span so that it can be pulled again.
 */
export function pullFileEvents(
  deps: StreamDeps,
  window: OpenWindow,
  onPage: PageHandler,
): Promise<StreamRunResult> {
  const skipMs = deps.settings.badPageSkipSeconds * 1000;

  return pullPages(deps, window, onPage, {
    stream: 'file-events',
    // A page is addressed by the start of its query and a `pgToken`, empty for the query's first page.
    first: { start: window.start, token: window.pageToken },
    // Only events of this window count; a cursor from an earlier window is before its start.
    lastEventAt:
      window.lastEventAt !== null && window.lastEventAt > window.start ? window.lastEventAt : null,
    request: ({ start, token }) => ({
      method: 'POST',
      path: '/v2/file-events',
      body: fileEventsQuery({ start, end: window.end }, token, deps.settings.fileEventsPageSize),
    }),
    readPage: readFileEventsPage,
    latestEventAt: latestInserted,
    nextPosition: ({ start }, page) =>
      page.nextPgToken === null || page.records.length === 0
        ? null
        : { start, token: page.nextPgToken },
    skipPage({ start }, reason, lastEventAt) {
      // The later of the two: after a skip the query starts past the last event handed on, and a
      // second bad page must move on from there, not request the same query again.
      const skipFrom = lastEventAt !== null && lastEventAt > start ? lastEventAt : start;
      const skipTo = new Date(skipFrom.getTime() + skipMs);
      return {
        error: `file-events page after ${skipFrom.toISOString()}: ${reason}`,
        logFields: { skipFrom: skipFrom.toISOString(), skipTo: skipTo.toISOString() },
        logMessage: 'incydr page skipped; events inserted in the span are not pulled',
        next: skipTo > window.end ? null : { start: skipTo, token: '' },
      };
    },
    cursorAt: ({ start, token }, { lastEventAt, lastError }, after) =>
      after === 'page'
        ? { windowStart: start, pageToken: token, lastEventAt }
        : { windowStart: start, pageToken: token, lastError },
    windowStartAt: ({ start }) => start,
  });
}
