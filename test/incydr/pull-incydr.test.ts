import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { loadFileRules } from '../../src/files/file-rules.ts';
import { loadCursor } from '../../src/incydr/cursor-store.ts';
import { incydrHandlers } from '../../src/incydr/incydr-job.ts';
import { ingestIncydrPage } from '../../src/incydr/ingest-incydr-page.ts';
import { createIncydrPuller, type IncydrPullerDeps } from '../../src/incydr/pull-incydr.ts';
import { incydrSettingsSchema } from '../../src/incydr/settings.ts';
import type { IncydrPage } from '../../src/incydr/stream-run.ts';
import type { Logger } from '../../src/log.ts';
import { cases, fileEvents, incydrCursors, signals } from '../../src/store/schema.ts';
import { readFixture } from '../feeds/fixtures.ts';
import { seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { FakeIncydrApi } from '../support/fake-incydr-api.ts';
import { describeStores } from '../support/stores.ts';
import { captureLogs, makeFileEvents, makeSession, maxCallsWithin } from './incydr-fixtures.ts';

const now = new Date('2026-12-04T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

describeStores('incydr pull', (current) => {
  let fake: FakeIncydrApi;

  beforeAll(async () => {
    fake = await new FakeIncydrApi().start();
  });
  afterAll(async () => {
    await fake.stop();
  });
  beforeEach(async () => {
    await fake.stop();
    fake = await new FakeIncydrApi().start();
    await current().store.db.delete(incydrCursors);
  });

  /** A puller on the fake with a collecting file-events handler. */
  function puller(
    options: {
      settings?: Record<string, unknown>;
      logger?: Logger;
      at?: Date;
      handlers?: Partial<IncydrPullerDeps['handlers']>;
    } = {},
  ) {
    const delivered: IncydrPage[] = [];
    const collect = async (page: IncydrPage) => {
      delivered.push(page);
      return undefined;
    };
    const created = createIncydrPuller({
      db: current().store.db,
      logger: options.logger ?? silentLogger,
      settings: incydrSettingsSchema.parse({
        baseUrl: fake.url,
        requestsPerMinute: 6000,
        ...options.settings,
      }),
      env: { INCYDR_CLIENT_ID: fake.clientId, INCYDR_CLIENT_SECRET: fake.clientSecret },
      handlers: { sessions: collect, 'file-events': collect, ...options.handlers },
      now: () => options.at ?? now,
      client: { backoffBaseMs: 10, backoffMaxMs: 50 },
    });
    const eventIds = () =>
      delivered.flatMap((page) =>
        page.records.map((record) => (record as { event: { id: string } }).event.id),
      );
    return { puller: created, delivered, eventIds };
  }

  it('pulls 25,000 file events once each while the token expires', async () => {
    fake.tokenLifetimeSeconds = 1;
    fake.addFileEvents(makeFileEvents(25_000, hoursAgo(20), 2000));
    // Incydr also rejects the token of the 10th search early, and the client renews the token once.
    fake.failRequest('/v2/file-events', 10, { status: 401 });
    const { puller: incydr, eventIds } = puller({
      settings: { streams: ['file-events'], fileEventsPageSize: 1000, requestsPerMinute: 600 },
    });

    const summary = await incydr.pull();

    const ids = eventIds();
    expect(ids).toHaveLength(25_000);
    expect(new Set(ids).size).toBe(25_000);
    expect(summary.streams[0]).toMatchObject({
      stream: 'file-events',
      status: 'succeeded',
      pages: 25,
      records: 25_000,
      skippedPages: 0,
    });
    const searches = fake.callsTo('/v2/file-events');
    expect(searches).toHaveLength(26);
    expect(searches.filter((call) => call.status === 401)).toHaveLength(1);
    // Tokens last 1 s and are renewed half-way, so a run of several seconds needs several.
    expect(summary.tokensIssued).toBeGreaterThanOrEqual(3);
    expect(summary.requests).toBe(26 + summary.tokensIssued);
    expect(summary.requests).toBe(fake.calls.length);
    expect(
      maxCallsWithin(
        fake.calls.map((call) => call.at),
        1000,
      ),
    ).toBeLessThanOrEqual(11);

    const tokens = searches.map((call) => call.body?.pgToken);
    expect(tokens[0]).toBe('');
    expect(new Set(tokens.filter((token) => token !== '')).size).toBe(24);
    const cursor = await loadCursor(current().store.db, 'file-events');
    expect(cursor).toMatchObject({
      windowEnd: null,
      pageToken: null,
      lastRunStatus: 'succeeded',
      lastRunRecords: 25_000,
      windowStart: new Date(now.getTime() - 120_000),
    });
  });

  /**
   * Pulls 1,000 file events, one each 100 ms from two hours ago, in pages of 100 whose searches
   * numbered `badSearches` return the corpus page with an invalid escape.
   */
  async function pullWithBadPages(badSearches: number[], failures: () => void = () => {}) {
    const first = hoursAgo(2);
    fake.addFileEvents(makeFileEvents(1000, first, 100));
    const garbage = readFixture('incydr/file-events-v2-invalid-json-escape.txt');
    for (const search of badSearches)
      fake.failRequest('/v2/file-events', search, { status: 200, body: garbage });
    failures();
    const logs = captureLogs();
    const { puller: incydr, eventIds } = puller({
      settings: { streams: ['file-events'], fileEventsPageSize: 100 },
      logger: logs.logger,
    });
    const summary = await incydr.pull();
    const skips = logs
      .lines()
      .filter((line) => line.msg?.toString().startsWith('incydr page skipped'));
    /** The ids of the events whose index `keep` accepts. */
    const idsWhere = (keep: (index: number) => boolean) =>
      makeFileEvents(1000, first, 100)
        .map((event) => (event.event as { id: string }).id)
        .filter((_, index) => keep(index));
    // Pages 1 and 2 end at event 199, the last one handed on before search 3.
    return { summary, eventIds, skips, idsWhere, lastHandedOn: new Date(first.getTime() + 19_900) };
  }

  it('skips a bad file-events page past the last event', async () => {
    const { summary, eventIds, skips, idsWhere, lastHandedOn } = await pullWithBadPages([3], () =>
      fake.failRequest('/v2/file-events', 5, { status: 429, retryAfter: '1' }),
    );

    // The pull moves 1 s (10 events) past event 199 without a token.
    const resumeAt = new Date(lastHandedOn.getTime() + 1000);
    expect(eventIds()).toEqual(idsWhere((index) => index < 200 || index >= 209));
    expect(summary.streams[0]).toMatchObject({ status: 'partial', skippedPages: 1, records: 991 });

    const afterBadPage = fake.callsTo('/v2/file-events')[3];
    expect(afterBadPage?.body?.pgToken).toBe('');
    expect(JSON.stringify(afterBadPage?.body?.groups)).toContain(resumeAt.toISOString());
    expect(skips[0]).toMatchObject({
      stream: 'file-events',
      reason: 'the response is not a JSON object',
      skipFrom: lastHandedOn.toISOString(),
      skipTo: resumeAt.toISOString(),
    });
    const cursor = await loadCursor(current().store.db, 'file-events');
    expect(cursor).toMatchObject({ lastRunStatus: 'partial', lastRunSkippedPages: 1 });
    expect(cursor?.lastError).toContain('not a JSON object');
  });

  it('skips two bad pages in a row', async () => {
    const { summary, eventIds, skips, idsWhere, lastHandedOn } = await pullWithBadPages([3, 4]);

    // The first skip starts at event 199, the last handed on; the second at the end of the first.
    const firstResume = new Date(lastHandedOn.getTime() + 1000);
    const secondResume = new Date(firstResume.getTime() + 1000);
    expect(eventIds()).toEqual(idsWhere((index) => index < 200 || index >= 219));
    expect(summary.streams[0]).toMatchObject({ status: 'partial', skippedPages: 2, records: 981 });
    expect(skips.map((line) => [line.skipFrom, line.skipTo])).toEqual([
      [lastHandedOn.toISOString(), firstResume.toISOString()],
      [firstResume.toISOString(), secondResume.toISOString()],
    ]);
  });

  it('skips a bad sessions page by number', async () => {
    fake.addSessions(
      Array.from({ length: 5 }, (_, index) =>
        makeSession(`s-${index}`, 'dana.lee@example.com', hoursAgo(3 - index * 0.1)),
      ),
    );
    fake.failRequest('/v1/sessions', 2, { status: 404 });
    const { puller: incydr, delivered } = puller({
      settings: { streams: ['sessions'], sessionsPageSize: 2 },
    });

    const summary = await incydr.pull();

    expect(
      delivered.flatMap((page) =>
        page.records.map((record) => (record as { sessionId: string }).sessionId),
      ),
    ).toEqual(['s-0', 's-1', 's-4']);
    expect(fake.callsTo('/v1/sessions').map((call) => call.query.page_number)).toEqual([
      '0',
      '1',
      '2',
    ]);
    expect(summary.streams[0]).toMatchObject({ status: 'partial', skippedPages: 1 });
  });

  it('resumes at the saved page after a restart', async () => {
    fake.addFileEvents(makeFileEvents(500, hoursAgo(5), 1000));
    fake.failRequest('/v2/file-events', 3, { status: 503 });
    const firstProcess = puller({
      settings: { streams: ['file-events'], fileEventsPageSize: 100, maxRetries: 0 },
    });

    const failed = await firstProcess.puller.pull();

    expect(failed.streams[0]).toMatchObject({ status: 'failed', pages: 2 });
    expect(failed.streams[0]?.error?.code).toBe('INCYDR_UNAVAILABLE');
    const saved = await loadCursor(current().store.db, 'file-events');
    expect(saved).toMatchObject({
      lastRunStatus: 'failed',
      windowEnd: new Date(now.getTime() - 120_000),
    });
    expect(saved?.pageToken).toBe(fake.callsTo('/v2/file-events')[2]?.body?.pgToken);

    // A new process, 10 minutes later, first finishes the saved window from its saved page.
    const later = new Date(now.getTime() + 600_000);
    const secondProcess = puller({
      settings: { streams: ['file-events'], fileEventsPageSize: 100 },
      at: later,
    });
    const resumed = await secondProcess.puller.pull();

    expect(resumed.streams[0]).toMatchObject({ status: 'succeeded', pages: 3, records: 300 });
    expect(resumed.streams[0]?.window?.to).toBe(new Date(now.getTime() - 120_000).toISOString());
    const resumedSearch = fake.callsTo('/v2/file-events')[3];
    expect(resumedSearch?.body?.pgToken).toBe(saved?.pageToken);
    const all = [...firstProcess.eventIds(), ...secondProcess.eventIds()];
    expect(all).toHaveLength(500);
    expect(new Set(all).size).toBe(500);

    // The next pull opens the window that follows.
    const next = await secondProcess.puller.pull();
    expect(next.streams[0]?.window).toEqual({
      from: new Date(now.getTime() - 120_000).toISOString(),
      to: new Date(later.getTime() - 120_000).toISOString(),
    });
    expect(next.streams[0]?.records).toBe(0);
  });

  it('pulls sessions into cases through intake', async () => {
    const { db } = current().store;
    await seedExampleDirectory(db);
    fake.addSessions([
      makeSession('sess-1', 'dana.lee@example.com', hoursAgo(6)),
      makeSession('sess-2', 'dana.lee@example.com', hoursAgo(5)),
      makeSession('sess-3', 'unknown.actor@example.com', hoursAgo(4)),
    ]);
    const intake = { db, logger: silentLogger, reopenWindowHours: 72 };
    const { puller: incydr } = puller({
      settings: { streams: ['sessions'] },
      handlers: { sessions: ingestIncydrPage(intake) },
    });

    const summary = await incydr.pull();

    expect(summary.streams[0]).toMatchObject({
      status: 'succeeded',
      records: 3,
      handled: { created: 2, grouped: 1, duplicates: 0, rejected: 0 },
    });
    const stored = await db.select({ externalId: signals.externalId }).from(signals);
    expect(stored.map((row) => row.externalId).sort()).toEqual(['sess-1', 'sess-2', 'sess-3']);
    expect(await db.select().from(cases)).toHaveLength(2);
    expect(fake.callsTo('/v1/sessions')[0]?.query).toMatchObject({
      has_alerts: 'true',
      on_or_after: String(hoursAgo(48).getTime()),
      before: String(now.getTime() - 120_000),
    });

    // The next pull reads the last 24 hours again; intake recognises the sessions it has.
    const { puller: again } = puller({
      settings: { streams: ['sessions'] },
      handlers: { sessions: ingestIncydrPage(intake) },
      at: new Date(now.getTime() + 300_000),
    });
    const repeat = await again.pull();
    expect(repeat.streams[0]?.handled).toMatchObject({ created: 0, duplicates: 3 });
    expect(await db.select().from(cases)).toHaveLength(2);
  });

  it('sends file events to the volume path', async () => {
    const { db } = current().store;
    fake.addFileEvents(makeFileEvents(40, hoursAgo(10), 60));
    const intake = { db, logger: silentLogger, reopenWindowHours: 72 };
    const fileDeps = {
      db,
      logger: silentLogger,
      rules: loadFileRules(null),
      reopenWindowHours: 72,
    };
    const { puller: incydr } = puller({
      settings: { streams: ['file-events'] },
      handlers: incydrHandlers(intake, fileDeps),
    });

    const summary = await incydr.pull();

    expect(summary.streams[0]).toMatchObject({ status: 'succeeded', records: 40 });
    expect(summary.streams[0]?.handled).toMatchObject({ accepted: 40, rejected: 0 });
    const stored = await db.select({ eventId: fileEvents.eventId }).from(fileEvents);
    expect(stored).toHaveLength(40);
    // The alert path would have stored each event as a signal on a case.
    const alertSignals = await db.select().from(signals).where(eq(signals.source, 'incydr'));
    expect(alertSignals.length).toBeLessThan(40);
  });

  it('requires the client credentials', () => {
    expect(() =>
      createIncydrPuller({
        db: current().store.db,
        logger: silentLogger,
        settings: incydrSettingsSchema.parse({ baseUrl: fake.url }),
        env: { INCYDR_CLIENT_ID: 'key-1234' },
        handlers: { sessions: async () => undefined, 'file-events': async () => undefined },
      }),
    ).toThrow(/INCYDR_CLIENT_SECRET is not set/);
  });
});
