import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { loadPseudonymKey } from '../../src/cases/pseudonym.ts';
import { loadCaseView } from '../../src/chat/load-case-view.ts';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import type { Signal } from '../../src/feeds/signal.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { auditEvents, cases, people, signals } from '../../src/store/schema.ts';
import { repoRoot, seedExampleDirectory } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

// 2026-12-03 08:00 in Berlin; Lee Chen's last working day is 12 local days later.
const now = new Date('2026-12-03T07:00:00Z');

/** The example Incydr sessions: Lee Chen's session has the "Removable media" risk indicator. */
function exampleSessions(): Signal[] {
  const text = readFileSync(
    path.join(repoRoot, 'examples', 'detections', 'incydr-sessions.json'),
    'utf8',
  );
  return parseFeed('incydr', text).accepted.map((record) => record.signal);
}

describeStores('watch rules in intake', (current) => {
  const db = () => current().store.db;

  beforeAll(async () => {
    await seedExampleDirectory(db());
    await db()
      .update(people)
      .set({
        noticeDate: '2026-11-20',
        lastWorkingDay: '2026-12-15',
        timeZone: 'Europe/Berlin',
      })
      .where(eq(people.email, 'lee.chen@example.com'));
  });

  const ingest = (batch: Signal[]) =>
    db().transaction((tx) => ingestBatch(tx, batch, { reopenWindowHours: 0, now }));

  it('departing subject with removable media raises priority', async () => {
    const lee = exampleSessions().find((signal) => signal.subject.email === 'lee.chen@example.com');
    expect(lee?.severity).toBe('medium');
    const [result] = await ingest([lee!]);

    const [row] = await db().select().from(cases).where(eq(cases.id, result!.caseId!));
    expect(row?.priority).toBe('high');
    const [stored] = await db().select().from(signals).where(eq(signals.caseId, row!.id));
    expect((stored!.signal as { watch: unknown }).watch).toEqual({
      action: 'open',
      list: 'departing',
      daysToLastDay: 12,
      daysSinceHire: null,
      facts: [{ kind: 'removable_media', count: 2 }],
    });
    const [opened] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, row!.id), eq(auditEvents.type, 'OPEN')));
    expect((opened!.data as { watch: { list: string } }).watch.list).toBe('departing');
  });

  it('case card states the reason for all but the manager', async () => {
    const [row] = await db()
      .select()
      .from(cases)
      .where(eq(cases.subjectEmail, 'lee.chen@example.com'));
    const key = await loadPseudonymKey(db());
    const sentence = 'Departing in 12 days; 2 files copied to removable media.';

    for (const audience of ['security', 'hr', 'legal'] as const) {
      const view = await loadCaseView(db(), key, row!.id, audience, 'en');
      const field = view.fields.find((candidate) => candidate.id === 'watchReason');
      expect(field?.value, audience).toBe(sentence);
    }
    const security = JSON.stringify(await loadCaseView(db(), key, row!.id, 'security', 'en'));
    expect(security).not.toContain('Lee Chen');
    expect(security).not.toContain('lee.chen@example.com');
    const manager = JSON.stringify(await loadCaseView(db(), key, row!.id, 'manager', 'en'));
    expect(manager).not.toContain('removable media');
    expect(manager).not.toContain('Departing');
  });

  it('subject on no watchlist keeps the feed priority', async () => {
    const dana = exampleSessions().find(
      (signal) => signal.subject.email === 'dana.lee@example.com',
    );
    const [result] = await ingest([dana!]);
    const [row] = await db().select().from(cases).where(eq(cases.id, result!.caseId!));
    expect(row?.priority).toBe('critical');
    const [stored] = await db().select().from(signals).where(eq(signals.caseId, row!.id));
    expect((stored!.signal as { watch: unknown }).watch).toBeNull();
  });

  it('custom list member raises source code by one level', async () => {
    const [sam] = await db().select().from(people).where(eq(people.email, 'sam.ortiz@example.com'));
    await db().transaction(async (tx) => {
      const { watchlistMemberships } = await import('../../src/store/schema.ts');
      await tx.insert(watchlistMemberships).values({
        list: 'contractors',
        personId: sam!.id,
        cause: 'person',
        startsAt: new Date('2026-11-01T00:00:00Z'),
        addedBy: 'ann.analyst@example.com',
        reason: 'Access to the build servers.',
      });
    });
    const corpus = JSON.parse(
      readFileSync(
        path.join(
          repoRoot,
          'test/fixtures/feeds/incydr/file-events-v2-search-saas-salesforce-gmail.json',
        ),
        'utf8',
      ),
    );
    const gmail = corpus.fileEvents[1];
    gmail.user.email = 'sam.ortiz@example.com';
    const [parsed] = parseFeed('incydr', JSON.stringify(gmail)).accepted;
    const [result] = await ingest([parsed!.signal]);
    const [row] = await db().select().from(cases).where(eq(cases.id, result!.caseId!));
    expect(parsed!.signal.severity).toBe('high');
    expect(row?.priority).toBe('critical');
    const view = await loadCaseView(db(), await loadPseudonymKey(db()), row!.id, 'hr', 'en');
    expect(view.fields.find((field) => field.id === 'watchReason')?.value).toBe(
      'On the contractors watchlist; 1 source-code file moved.',
    );
  });
});
