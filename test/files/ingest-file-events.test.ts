import { readFileSync } from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { showCase } from '../../src/cases/show-case.ts';
import { upsertCriticalFiles } from '../../src/files/critical-file-registry.ts';
import {
  dropFileEventPartitionsBefore,
  ensureFileEventPartitions,
  listFileEventPartitions,
  planFileEventDrop,
} from '../../src/files/file-event-partitions.ts';
import { parseFileRules } from '../../src/files/file-rules.ts';
import { findFileSightings } from '../../src/files/find-file-sightings.ts';
import { type FileIngestDeps, ingestFileEvents } from '../../src/files/ingest-file-events.ts';
import { FILE_RULES_STREAM } from '../../src/files/record-file-rules-version.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { auditEvents, cases, people, signals } from '../../src/store/schema.ts';
import { fileActivityDaily, fileEvents } from '../../src/store/schema-files.ts';
import { makeSignal, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { makeFileEventRecord } from '../support/file-events.ts';
import { describeStores } from '../support/stores.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/feeds/incydr/${name}`, import.meta.url), 'utf8');
const examplesRules = readFileSync(
  new URL('../../examples/files-rules.yaml', import.meta.url),
  'utf8',
);
const dropboxSha256 = '14d749cce008711b4ad1381d84374539560340622f0e8b9eb2fe3bba77ddbd64';
const MiB = 1_048_576;
const now = new Date('2026-03-20T12:00:00Z');

const testRules = `
suppress:
  - name: corporate-box
    destinations: [Box]
flag:
  - name: source-code-to-personal-mail
    fileCategories: [SourceCode]
    domains: [example.net]
baseline: { days: 10, minHistoryDays: 5, newHireDays: 30, minEvents: 1, minBytes: 1048576 }
`;

/** Days before 2026-03-11 as an ISO time at 10:00 UTC, plus a minute offset per event. */
function dayTime(daysBefore: number, minute = 0): string {
  const time = Date.parse('2026-03-11T10:00:00Z') - daysBefore * 86_400_000 + minute * 60_000;
  return new Date(time).toISOString();
}

describeStores('file event ingest', (current) => {
  const deps = (
    rulesText = testRules,
    overrides: Partial<FileIngestDeps> = {},
  ): FileIngestDeps => ({
    db: current().store.db,
    logger: silentLogger,
    rules: parseFileRules(rulesText, 'test-rules.yaml'),
    reopenWindowHours: 72,
    now: () => now,
    ...overrides,
  });
  const subjectCase = async (email: string) => {
    const [row] = await current()
      .store.db.select()
      .from(cases)
      .where(eq(cases.subjectEmail, email));
    return row === undefined ? null : showCase(current().store.db, row.id);
  };

  beforeAll(async () => {
    await seedExampleDirectory(current().store.db);
  });

  it('ingests the corpus pages end to end', async () => {
    const dropbox = await ingestFileEvents(
      deps(examplesRules),
      fixture('file-events-v2-search-endpoint-dropbox.json'),
    );
    expect(dropbox).toMatchObject({
      accepted: 1,
      suppressed: 0,
      matchedCritical: 0,
      casesOpened: 0,
      rejected: [],
    });

    const saas = await ingestFileEvents(
      deps(examplesRules),
      fixture('file-events-v2-search-saas-salesforce-gmail.json'),
    );
    expect(saas).toMatchObject({ accepted: 2, casesOpened: 1, casesUpdated: 0, rejected: [] });
    // The Gmail event sends source code to a personal address, which the example flag rule names.
    const dave = await subjectCase('dave@example.com');
    expect(dave?.signals.map((signal) => signal.title)).toEqual([
      'File activity: matched the file rule "source-code-to-personal-mail"',
    ]);
    expect(await subjectCase('carol@example.com')).toBeNull();

    const rows = await current().store.db.select().from(fileEvents);
    const gmail = rows.find((row) => row.eventId === '03bdf601-3f28-42b5-94e0-cd1a6dddd9c2');
    expect(gmail?.domains).toEqual(['example.net']);
    const endpoint = rows.find((row) => row.eventId === '2-event-id-100');
    expect(endpoint).toMatchObject({
      device: 'DESKTOP-1',
      destinationName: 'Dropbox',
      sha256: dropboxSha256,
    });
    expect(endpoint?.process).toContain('msedge.exe');
  });

  it('rejects the invalid-escape record and keeps the rest', async () => {
    const broken = fixture('file-events-v2-invalid-json-escape.txt');
    const good = makeFileEventRecord({
      id: 'after-broken',
      time: '2025-08-04T02:00:00Z',
      email: 'lee.chen@example.com',
    });
    const page = broken.replace(
      /\]\s*,\s*"nextPgToken"/,
      `, ${JSON.stringify(good)}], "nextPgToken"`,
    );
    const summary = await ingestFileEvents(deps(), page);
    expect(summary.accepted).toBe(1);
    expect(summary.rejected).toHaveLength(1);
    expect(summary.rejected[0]!.index).toBe(0);
    expect(summary.rejected[0]!.reason).toMatch(/fileEvents\[0\] is not valid JSON/);
  });

  it('counts a page sent twice as duplicates', async () => {
    const again = await ingestFileEvents(
      deps(examplesRules),
      fixture('file-events-v2-search-saas-salesforce-gmail.json'),
    );
    expect(again).toMatchObject({ accepted: 2, duplicates: 2, casesOpened: 0, casesUpdated: 0 });
    const count = await current()
      .store.db.select({ n: sql<number>`count(*)::int` })
      .from(fileEvents);
    expect(Number(count[0]!.n)).toBe(4);
  });

  it('rejects events with a hash that is not hex', async () => {
    const record = (id: string, hashes: { sha256?: string | null; md5?: string | null }) =>
      JSON.stringify(
        makeFileEventRecord({
          id,
          time: '2025-08-05T09:00:00Z',
          email: 'lee.chen@example.com',
          ...hashes,
        }),
      );
    const sha256 = 'c0de'.repeat(16);
    const text = [
      record('hash-ok', { sha256: sha256.toUpperCase(), md5: '' }),
      record('hash-bad-sha256', { sha256: 'not-a-hash' }),
      record('hash-bad-md5', { md5: sha256 }),
    ].join('\n');

    const summary = await ingestFileEvents(deps(), text);

    expect(summary.accepted).toBe(1);
    expect(summary.rejected).toEqual([
      { index: 1, reason: 'file.hash.sha256: "not-a-hash" is not a SHA-256 (64 hex digits)' },
      { index: 2, reason: `file.hash.md5: "${sha256}" is not an MD5 (32 hex digits)` },
    ]);
    const stored = await current()
      .store.db.select({
        eventId: fileEvents.eventId,
        sha256: fileEvents.sha256,
        md5: fileEvents.md5,
      })
      .from(fileEvents)
      .where(sql`${fileEvents.eventId} like 'hash-%'`);
    expect(stored).toEqual([{ eventId: 'hash-ok', sha256, md5: null }]);
  });

  it('opens a critical-registry case and finds sightings across sources', async () => {
    const db = current().store.db;
    await db.transaction((tx) =>
      upsertCriticalFiles(tx, [
        {
          sha256: dropboxSha256,
          label: 'Q3 forecast',
          owner: 'Finance',
          sensitivity: 'restricted',
        },
      ]),
    );
    const record = JSON.parse(fixture('file-events-v2-search-endpoint-dropbox.json')).fileEvents[0];
    record.event.id = 'critical-copy';
    record['@timestamp'] = '2026-03-01T09:00:00Z';
    const summary = await ingestFileEvents(deps(), [record]);
    expect(summary).toMatchObject({ accepted: 1, matchedCritical: 1, casesOpened: 1 });
    const detail = await subjectCase('engineer@example.com');
    expect(detail?.priority).toBe('critical');
    expect(detail?.signals[0]?.title).toBe(
      'File activity: includes the critical file "Q3 forecast"',
    );
    // The case names the file, so that a reader can ask where it went.
    expect(detail?.signals[0]?.files).toEqual([expect.objectContaining({ sha256: dropboxSha256 })]);

    // The same file in an alert from another feed.
    await db.transaction((tx) =>
      ingestBatch(
        tx,
        [
          makeSignal({
            subject: { email: 'lee.chen@example.com', externalIds: [], displayName: null },
            observedAt: new Date('2026-03-05T08:00:00Z'),
            files: [
              {
                name: 'forecast.xlsx',
                path: null,
                sha256: dropboxSha256,
                md5: null,
                category: 'Spreadsheet',
                sizeBytes: 10,
              },
            ],
          }),
        ],
        { reopenWindowHours: 72, now },
      ),
    );
    const found = await findFileSightings(db, dropboxSha256.toUpperCase());
    expect(found.critical?.label).toBe('Q3 forecast');
    expect(found.sightings.map((s) => [s.kind, s.observedAt, s.user])).toEqual([
      ['alert', '2026-03-05T08:00:00.000Z', 'lee.chen@example.com'],
      ['file-event', '2026-03-01T09:00:00.000Z', 'engineer@example.com'],
      ['file-event', '2022-07-14T16:53:06.112Z', 'engineer@example.com'],
    ]);
    expect(found.sightings[1]?.device).toBe('DESKTOP-1');
    await expect(findFileSightings(db, 'not-a-hash')).rejects.toMatchObject({
      code: 'USAGE_INVALID',
    });
  });

  it("scores a day against the person's baseline", async () => {
    // Ten days of two 1 MiB source-code uploads, then eighteen on 2026-03-11: 9× the median of 2.
    const history = Array.from({ length: 10 }, (_, day) =>
      [0, 1].map((n) =>
        makeFileEventRecord({
          id: `dana-h-${day}-${n}`,
          time: dayTime(day + 1, n),
          email: 'dana.lee@example.com',
          category: 'SourceCode',
          sizeBytes: MiB,
        }),
      ),
    ).flat();
    const seeded = await ingestFileEvents(deps(), history);
    expect(seeded).toMatchObject({ accepted: 20, casesOpened: 0 });

    const burst = Array.from({ length: 18 }, (_, n) =>
      makeFileEventRecord({
        id: `dana-d-${n}`,
        time: dayTime(0, n),
        email: 'dana.lee@example.com',
        category: 'SourceCode',
        sizeBytes: MiB,
      }),
    );
    const summary = await ingestFileEvents(deps(), burst);
    expect(summary).toMatchObject({ accepted: 18, casesOpened: 1 });
    const detail = await subjectCase('dana.lee@example.com');
    expect(detail?.priority).toBe('medium');
    expect(detail?.signals[0]?.title).toBe(
      "File activity: 9× this person's normal volume of source code to Cloud Storage",
    );
    const [stored] = await current()
      .store.db.select()
      .from(fileEvents)
      .where(eq(fileEvents.eventId, 'dana-d-17'));
    expect(stored).toMatchObject({ fileCategory: 'SourceCode', sizeBytes: MiB });
    const [day] = await current()
      .store.db.select()
      .from(fileActivityDaily)
      .where(
        and(
          eq(fileActivityDaily.subjectKey, stored!.subjectKey),
          eq(fileActivityDaily.day, '2026-03-11'),
        ),
      );
    expect(day).toMatchObject({ events: 18, bytes: 18 * MiB });
  });

  it('judges a new hire by the department per head', async () => {
    const db = current().store.db;
    await db
      .update(people)
      .set({ hireDate: '2026-03-06' })
      .where(eq(people.email, 'sam.ortiz@example.com'));
    // Engineering has 3 people; Dana's 2 uploads a day make 2/3 per head, below the floor of 1,
    // so 6 uploads are 6× and 4 would be 4× (no anomaly).
    const events = Array.from({ length: 6 }, (_, n) =>
      makeFileEventRecord({
        id: `sam-${n}`,
        time: dayTime(0, 30 + n),
        email: 'sam.ortiz@example.com',
        category: 'SourceCode',
        sizeBytes: MiB,
      }),
    );
    const summary = await ingestFileEvents(deps(), events);
    expect(summary.casesOpened).toBe(1);
    const detail = await subjectCase('sam.ortiz@example.com');
    expect(detail?.signals[0]?.title).toBe(
      "File activity: 6× their department's normal volume per person of source code to Cloud Storage",
    );
  });

  it('keeps hire dates across cache resets', async () => {
    const db = current().store.db;
    // A research team has six people. Its new hire has moved 6 MiB of source code a day since
    // joining, so their own history calls today's 6 MiB normal. The department's 1 a day per
    // head makes it 6×, and a new hire is judged by the department.
    const [hire] = await db
      .insert(people)
      .values([
        {
          email: 'rae.novak@example.com',
          name: 'Rae Novak',
          department: 'Research',
          hireDate: '2026-03-01',
        },
        ...Array.from({ length: 5 }, (_, n) => ({
          email: `researcher${n}@example.com`,
          name: `Researcher ${n}`,
          department: 'Research',
        })),
      ])
      .returning({ id: people.id });

    await db.insert(fileActivityDaily).values(
      Array.from({ length: 6 }, (_, n) => ({
        subjectKey: `person:${hire!.id}`,
        day: dayTime(n + 1).slice(0, 10),
        fileCategory: 'SourceCode',
        destinationCategory: 'Cloud Storage',
        department: 'Research',
        events: 6,
        bytes: 6 * MiB,
      })),
    );

    const record = (id: string, email: string, destinationName: string, minute: number) =>
      makeFileEventRecord({
        id,
        time: dayTime(0, minute),
        email,
        category: 'SourceCode',
        destinationName,
        sizeBytes: MiB,
      });
    // The first chunk of 1,000 events contains the new hire's 6 uploads and suppressed Box
    // uploads. The second brings another subject, so a cache of one subject starts over.
    const events = [
      ...Array.from({ length: 6 }, (_, n) =>
        record(`rae-${n}`, 'rae.novak@example.com', 'Dropbox', n),
      ),
      ...Array.from({ length: 994 }, (_, n) =>
        record(`rae-box-${n}`, 'rae.novak@example.com', 'Box', 10),
      ),
      record('researcher-box', 'researcher0@example.com', 'Box', 20),
    ];
    const summary = await ingestFileEvents(deps(testRules, { subjectCacheLimit: 1 }), events);
    expect(summary).toMatchObject({ accepted: 1001, suppressed: 995, casesOpened: 1 });

    const detail = await subjectCase('rae.novak@example.com');
    expect(detail?.signals[0]?.title).toBe(
      "File activity: 6× their department's normal volume per person of source code to Cloud Storage",
    );
  });

  it('suppresses by rule, audits rule changes and throttles', async () => {
    const db = current().store.db;
    const box = makeFileEventRecord({
      id: 'lee-box',
      time: '2026-03-12T09:00:00Z',
      email: 'lee.chen@example.com',
      destinationName: 'Box',
      category: 'SourceCode',
      recipients: ['lee@example.net'],
    });
    const summary = await ingestFileEvents(deps(), [box]);
    expect(summary).toMatchObject({ accepted: 1, suppressed: 1, casesOpened: 0 });
    const [row] = await db.select().from(fileEvents).where(eq(fileEvents.eventId, 'lee-box'));
    expect(row?.suppressedBy).toBe('corporate-box');
    const daily = await db
      .select()
      .from(fileActivityDaily)
      .where(
        and(
          eq(fileActivityDaily.day, '2026-03-12'),
          sql`${fileActivityDaily.subjectKey} like 'person:%'`,
        ),
      );
    expect(daily).toEqual([]);

    const versions = () =>
      db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.stream, FILE_RULES_STREAM))
        .orderBy(auditEvents.seq);
    const before = await versions();
    expect(before.length).toBeGreaterThan(0);
    const lastBefore = before.at(-1)!;

    // The same flag without the suppression rule, and no new case allowed per subject.
    const changed = `${testRules.replace(/suppress:[\s\S]*?flag:/, 'flag:')}\nthrottle: { maxNewCases: 0 }\n`;
    // Maria has no case yet, and the throttle allows none; Lee's case (from the alert above) is open.
    const throttled = await ingestFileEvents(deps(changed), [
      { ...box, event: { id: 'maria-box' }, user: { email: 'maria.gomez@example.com' } },
    ]);
    expect(throttled).toMatchObject({ accepted: 1, suppressed: 0, throttled: 1, casesOpened: 0 });
    expect(await subjectCase('maria.gomez@example.com')).toBeNull();
    const grouped = await ingestFileEvents(deps(changed), [{ ...box, event: { id: 'lee-box-2' } }]);
    expect(grouped).toMatchObject({ throttled: 0, casesOpened: 0, casesUpdated: 1 });
    const after = await versions();
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)?.type).toBe('FILE_RULES_CHANGED');
    expect(after.at(-1)?.data).toMatchObject({
      sha256: parseFileRules(changed, null).sha256,
      previousSha256: (lastBefore.data as { sha256: string }).sha256,
    });
    await ingestFileEvents(deps(changed), []);
    expect(await versions()).toHaveLength(after.length);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('creates and drops daily partitions', async () => {
    const db = current().store.db;
    const partitions = await listFileEventPartitions(db);
    expect(partitions).toContain('file_events_default');
    expect(partitions).toContain('file_events_20220714');
    expect(partitions).toContain('file_events_20260311');

    // A row of a day without a partition lands in the default one and moves when it is created.
    await db.insert(fileEvents).values({
      source: 'incydr',
      eventId: 'orphan',
      observedAt: new Date('2021-05-05T05:00:00Z'),
      subjectKey: 'email:x@example.com',
      severity: 'low',
    });
    await ensureFileEventPartitions(db, ['2021-05-05']);
    const moved = await db.execute(sql`select count(*)::int as n from file_events_20210505`);
    const movedRows = Array.isArray(moved) ? moved : (moved as { rows: unknown[] }).rows;
    expect(movedRows[0]).toEqual({ n: 1 });

    // A row of a day without a partition stays in the default one until retention deletes it.
    await db.insert(fileEvents).values({
      source: 'incydr',
      eventId: 'stays-default',
      observedAt: new Date('2020-02-02T02:00:00Z'),
      subjectKey: 'email:x@example.com',
      severity: 'low',
    });
    const plan = await planFileEventDrop(db, new Date('2023-01-01T00:00:00Z'));
    const dropped = await dropFileEventPartitionsBefore(db, new Date('2023-01-01T00:00:00Z'));
    expect(plan).toEqual({ partitions: dropped, defaultRows: 1 });
    expect(dropped).toEqual([
      'file_events_20210505',
      'file_events_20220714',
      'file_events_20221209',
    ]);
    const left = await listFileEventPartitions(db);
    expect(left).not.toContain('file_events_20220714');
    expect(left).toContain('file_events_20230207');
    const old = await db
      .select()
      .from(fileEvents)
      .where(sql`${fileEvents.observedAt} < '2023-01-01'`);
    expect(old).toEqual([]);
    // Signals of alerts are not touched by file-event retention.
    expect((await db.select().from(signals)).length).toBeGreaterThan(0);
  });
});
