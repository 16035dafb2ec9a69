import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { and, eq, like, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { upsertCriticalFiles } from '../../src/files/critical-file-registry.ts';
import { parseFileRules } from '../../src/files/file-rules.ts';
import {
  createFileIngest,
  type FileIngestDeps,
  ingestFileEvents,
} from '../../src/files/ingest-file-events.ts';
import { openStore } from '../../src/store/db.ts';
import { cases, signals } from '../../src/store/schema.ts';
import { fileActivityDaily, fileEvents } from '../../src/store/schema-files.ts';
import { seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { makeFileEventRecord } from '../support/file-events.ts';
import { describeStores } from '../support/stores.ts';

const MiB = 1_048_576;
const rules = `
baseline: { days: 10, minHistoryDays: 5, newHireDays: 30, minEvents: 1, minBytes: 1048576 }
`;

/** Events of one person on 2026-04-01, one a second from 09:00 UTC. */
function events(prefix: string, email: string, count: number, first = 0) {
  return Array.from({ length: count }, (_, n) =>
    makeFileEventRecord({
      id: `${prefix}-${first + n}`,
      time: new Date(Date.parse('2026-04-01T09:00:00Z') + (first + n) * 1000).toISOString(),
      email,
    }),
  );
}

describeStores('file events stored with COPY', (current, backend) => {
  const deps = (overrides: Partial<FileIngestDeps> = {}): FileIngestDeps => ({
    db: current().store.db,
    logger: silentLogger,
    rules: parseFileRules(rules, 'copy-rules.yaml'),
    reopenWindowHours: 72,
    now: () => new Date('2026-04-02T12:00:00Z'),
    ...overrides,
  });
  const stored = async (prefix: string) => {
    const [row] = await current()
      .store.db.select({ n: sql<number>`count(*)::int` })
      .from(fileEvents)
      .where(like(fileEvents.eventId, `${prefix}-%`));
    return Number(row!.n);
  };
  const dayTotal = async (email: string) => {
    const [row] = await current()
      .store.db.select({ events: fileActivityDaily.events })
      .from(fileActivityDaily)
      .where(
        and(
          eq(fileActivityDaily.subjectKey, `email:${email}`),
          eq(fileActivityDaily.day, '2026-04-01'),
        ),
      );
    return row?.events ?? 0;
  };

  it('stores text with tabs, line ends, backslashes and quotes as it came', async () => {
    const record = makeFileEventRecord({
      id: 'odd-1',
      time: '2026-04-01T08:00:00.123Z',
      email: 'odd.names@example.org',
      recipients: ['someone@We\\ird"Domain.example'],
    });
    const file = record.file as Record<string, unknown>;
    file.name = 'tab\there\nnew line \\N back\\slash "quoted".txt';
    file.directory = 'C:\\Users\\odd\\{braces},comma\\';
    const summary = await ingestFileEvents(deps(), [record]);
    expect(summary).toMatchObject({ accepted: 1, rejected: [] });

    const [row] = await current()
      .store.db.select()
      .from(fileEvents)
      .where(eq(fileEvents.eventId, 'odd-1'));
    expect(row).toMatchObject({
      fileName: 'tab\there\nnew line \\N back\\slash "quoted".txt',
      filePath: 'C:\\Users\\odd\\{braces},comma\\',
      domains: ['we\\ird"domain.example'],
      subjectKey: 'email:odd.names@example.org',
    });
    expect(row?.observedAt.toISOString()).toBe('2026-04-01T08:00:00.123Z');
  });

  it('finds duplicates within a chunk and across chunks of one unit', async () => {
    const batch = events('dup', 'dup.person@example.org', 1_500);
    // The 1,200th event repeats the 10th (another chunk); the 20th repeats the 19th.
    batch[1_199] = batch[9]!;
    batch[19] = batch[18]!;
    const summary = await ingestFileEvents(deps(), batch);
    expect(summary).toMatchObject({ accepted: 1_500, duplicates: 2, rejected: [] });
    expect(await stored('dup')).toBe(1_498);
    expect(await dayTotal('dup.person@example.org')).toBe(1_498);

    // Sent again, all of them are duplicates and the day's total stays.
    const again = await ingestFileEvents(deps({ batchSize: 700 }), batch);
    expect(again).toMatchObject({ accepted: 1_500, duplicates: 1_500 });
    expect(await dayTotal('dup.person@example.org')).toBe(1_498);
  });

  it('keeps counts and totals over many small units', async () => {
    const summary = await ingestFileEvents(
      deps({ batchSize: 7 }),
      events('small', 'small.units@example.org', 100),
    );
    expect(summary).toMatchObject({ accepted: 100, duplicates: 0 });
    expect(await stored('small')).toBe(100);
    expect(await dayTotal('small.units@example.org')).toBe(100);
  });

  it('scores a burst against history written earlier in the same run', async () => {
    await seedExampleDirectory(current().store.db);
    // Ten days of six 1 MiB source-code uploads, then 54 on 2026-03-11: 9× the median of 6. Six a
    // day can be an anomaly, so each unit of the history scores and caches the person's days.
    const history = Array.from({ length: 10 }, (_, day) =>
      [0, 1, 2, 3, 4, 5].map((n) =>
        makeFileEventRecord({
          id: `lee-h-${day}-${n}`,
          time: new Date(
            Date.parse('2026-03-10T10:00:00Z') - day * 86_400_000 + n * 60_000,
          ).toISOString(),
          email: 'lee.chen@example.com',
          category: 'SourceCode',
          sizeBytes: MiB,
        }),
      ),
    )
      .flat()
      .reverse();
    const burst = Array.from({ length: 54 }, (_, n) =>
      makeFileEventRecord({
        id: `lee-d-${n}`,
        time: new Date(Date.parse('2026-03-11T10:00:00Z') + n * 60_000).toISOString(),
        email: 'lee.chen@example.com',
        category: 'SourceCode',
        sizeBytes: MiB,
      }),
    );
    // Units of 25 events: the history's days are cached by earlier units when the burst comes.
    const summary = await ingestFileEvents(deps({ batchSize: 25 }), [...history, ...burst]);
    expect(summary).toMatchObject({ accepted: 114, rejected: [] });
    const titles = await current()
      .store.db.select({ title: signals.title })
      .from(signals)
      .innerJoin(cases, eq(cases.id, signals.caseId))
      .where(eq(cases.subjectEmail, 'lee.chen@example.com'));
    // Each unit of the burst scores the day again, and the last one counts all 54 uploads.
    expect(titles.map((row) => row.title)).toContain(
      "File activity: 9× this person's normal volume of source code to Cloud Storage",
    );
  });

  it('keeps the registry between pages until the cache expires', async () => {
    const hash = 'ab'.repeat(32);
    const page = (id: string) => [
      makeFileEventRecord({
        id,
        time: '2026-04-01T11:00:00Z',
        email: 'pages@example.org',
        sha256: hash,
      }),
    ];
    const cached = createFileIngest(deps(), 60_000);
    expect(await cached.ingest(page('page-1'))).toMatchObject({ matchedCritical: 0 });
    await current().store.db.transaction((tx) =>
      upsertCriticalFiles(tx, [
        { sha256: hash, label: 'Pricing model', sensitivity: 'restricted' },
      ]),
    );
    // The pull's ingest still has the registry of its first page.
    expect(await cached.ingest(page('page-2'))).toMatchObject({ matchedCritical: 0 });
    const fresh = createFileIngest(deps(), 0);
    expect(await fresh.ingest(page('page-3'))).toMatchObject({ matchedCritical: 1 });
  });

  it('counts a case once for several days of alerts', async () => {
    const hash = 'cd'.repeat(32);
    await current().store.db.transaction((tx) =>
      upsertCriticalFiles(tx, [{ sha256: hash, label: 'Design', sensitivity: 'internal' }]),
    );
    const days = ['2026-04-03', '2026-04-04', '2026-04-05'].map((day, n) =>
      makeFileEventRecord({
        id: `days-${n}`,
        time: `${day}T10:00:00Z`,
        email: 'three.days@example.org',
        sha256: hash,
      }),
    );
    const summary = await ingestFileEvents(deps(), days);
    // Three alerts, one a day, join one new case.
    expect(summary).toMatchObject({ matchedCritical: 3, casesOpened: 1, casesUpdated: 0 });
    // A replay counts the same critical files, as duplicates that change no case.
    expect(await ingestFileEvents(deps(), days)).toMatchObject({
      accepted: 3,
      duplicates: 3,
      matchedCritical: 3,
      casesOpened: 0,
      casesUpdated: 0,
    });
    const again = await ingestFileEvents(deps(), [
      makeFileEventRecord({
        id: 'days-3',
        time: '2026-04-06T10:00:00Z',
        email: 'three.days@example.org',
        sha256: hash,
      }),
      makeFileEventRecord({
        id: 'days-4',
        time: '2026-04-07T10:00:00Z',
        email: 'three.days@example.org',
        sha256: hash,
      }),
    ]);
    expect(again).toMatchObject({ casesOpened: 0, casesUpdated: 1 });
  });

  it('caps listed rejections at 1,000', async () => {
    const input = [
      ...events('kept', 'rejects@example.org', 1),
      ...Array.from({ length: 1_200 }, () => ({})),
    ];
    const summary = await ingestFileEvents(deps(), input);
    expect(summary).toMatchObject({ accepted: 1, rejectedCount: 1_200 });
    expect(summary.rejected).toHaveLength(1_000);
    expect(summary.rejected.at(-1)).toMatchObject({ index: 1_000 });
    expect(summary.rejected[0]!.reason).toContain('event');
  });

  it('commits stalled input and frees the database', async () => {
    const ndjson = (records: unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');
    const input = new PassThrough();
    const ingest = ingestFileEvents(deps({ inputWaitMs: 50 }), input);
    input.write(ndjson(events('stall', 'stalled.stream@example.org', 3)));
    // While the stream stalls, the 3 events are committed and a query returns at once. Had
    // the unit kept its transaction open, the query would wait (PGlite) or see none (PostgreSQL).
    let seen = -1;
    const deadline = Date.now() + 3_000;
    while (seen !== 3 && Date.now() < deadline) {
      seen = await Promise.race([stored('stall'), delay(1_000).then(() => -1)]);
      if (seen !== 3) await delay(20);
    }
    expect(seen).toBe(3);
    input.end(ndjson(events('stall', 'stalled.stream@example.org', 2, 3)));
    expect(await ingest).toMatchObject({ accepted: 5, duplicates: 0 });
    expect(await stored('stall')).toBe(5);
    expect(await dayTotal('stalled.stream@example.org')).toBe(5);
  });

  it.skipIf(backend === 'pglite')(
    'stores each event once when two processes ingest the same events',
    async () => {
      const url = current().databaseUrl!;
      const other = await openStore({ databaseUrl: url });
      try {
        const batch = events('twice', 'two.processes@example.org', 3_000);
        const [first, second] = await Promise.all([
          ingestFileEvents(deps({ batchSize: 500 }), batch),
          ingestFileEvents(deps({ db: other.db, batchSize: 500 }), batch),
        ]);
        expect(first!.accepted + second!.accepted).toBe(6_000);
        expect(first!.duplicates + second!.duplicates).toBe(3_000);
        expect(await stored('twice')).toBe(3_000);
        expect(await dayTotal('two.processes@example.org')).toBe(3_000);
      } finally {
        await other.close();
      }
    },
  );
});
