import type { IncydrResponse } from './incydr-client.ts';
import { pullPages } from './pull-pages.ts';
import {
  type OpenWindow,
  type PageHandler,
  parseJsonObject,
  type StreamDeps,
  type StreamRunResult,
} from './stream-run.ts';

/** Builds the query of `GET /v1/sessions` for one page: alerted sessions that began in the window, oldest end first. */
export function sessionsQuery(
  window: { start: Date; end: Date },
  pageNumber: number,
  pageSize: number,
  lookbackHours: number,
) {
  return {
    has_alerts: 'true',
    on_or_after: window.start.getTime() - lookbackHours * 3_600_000,
    before: window.end.getTime(),
    order_by: 'end_time',
    sort_direction: 'asc',
    page_number: pageNumber,
    page_size: pageSize,
  };
}

type SessionsPage = { ok: true; records: unknown[] } | { ok: false; reason: string };

/** Reads a sessions page; a 4xx, a body that is not JSON or a page without `items` is bad. */
export function readSessionsPage(response: IncydrResponse): SessionsPage {
  if (response.status >= 300) return { ok: false, reason: `HTTP ${response.status}` };
  const body = parseJsonObject(response.text);
  if (body === null) return { ok: false, reason: 'the response is not a JSON object' };
  if (!Array.isArray(body.items)) return { ok: false, reason: 'the response has no items array' };
  return { ok: true, records: body.items };
}

function latestBegin(records: unknown[], after: Date | null): Date | null {
  let latest = after;
  for (const record of records) {
    const begin = (record as { beginTime?: unknown } | null)?.beginTime;
    if (typeof begin === 'number' && (latest === null || begin > latest.getTime()))
      latest = new Date(begin);
  }
  return latest;
}

/**
 * Pulls the window's sessions by page number and hands each page to `onPage`; the cursor is saved
 * after each handled page. Sessions pages are addressed by number, so a bad page is skipped by
 * asking for the next number, and its sessions are missed until a later pull's lookback reads
 * them again. The last page is the first one shorter than the page size.
 */
export function pullSessions(
  deps: StreamDeps,
  window: OpenWindow,
  onPage: PageHandler,
): Promise<StreamRunResult> {
  const pageSize = deps.settings.sessionsPageSize;

  return pullPages(deps, window, onPage, {
    stream: 'sessions',
    first: window.pageNumber,
    lastEventAt: window.lastEventAt,
    request: (pageNumber) => ({
      method: 'GET',
      path: '/v1/sessions',
      query: sessionsQuery(window, pageNumber, pageSize, deps.settings.sessionsLookbackHours),
    }),
    readPage: readSessionsPage,
    latestEventAt: latestBegin,
    nextPosition: (pageNumber, page) => (page.records.length < pageSize ? null : pageNumber + 1),
    skipPage: (pageNumber, reason) => ({
      error: `sessions page ${pageNumber}: ${reason}`,
      logFields: { pageNumber },
      logMessage: 'incydr page skipped; its sessions are not pulled',
      next: pageNumber + 1,
    }),
    cursorAt: (pageNumber, { lastEventAt, lastError }) => ({
      windowStart: window.start,
      pageNumber,
      lastEventAt,
      lastError,
    }),
    windowStartAt: () => window.start,
  });
}
