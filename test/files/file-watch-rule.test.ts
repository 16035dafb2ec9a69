import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { loadPseudonymKey } from '../../src/cases/pseudonym.ts';
import { loadCaseView } from '../../src/chat/load-case-view.ts';
import { parseFileRules } from '../../src/files/file-rules.ts';
import { fileWatchRule } from '../../src/files/file-watch-rule.ts';
import { type FileIngestDeps, ingestFileEvents } from '../../src/files/ingest-file-events.ts';
import { defaultWatchlistContext } from '../../src/people/watchlists.ts';
import { cases, people } from '../../src/store/schema.ts';
import { seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const now = new Date('2026-03-20T12:00:00Z');
// No flag rules, and a baseline that needs history, so only a watch rule can open a case.
const rules = `
baseline: { days: 10, minHistoryDays: 5, newHireDays: 30, minEvents: 1, minBytes: 1048576 }
`;

/**
 * Returns the corpus's Dropbox upload event as a source-code upload by `email` on the test day.
 * Its hash is in no registry. With `removable`, it is a copy to a USB drive instead.
 */
function corpusEvent(id: string, email: string, removable = false): Record<string, unknown> {
  const page = JSON.parse(
    readFileSync(
      new URL(
        '../fixtures/feeds/incydr/file-events-v2-search-endpoint-dropbox.json',
        import.meta.url,
      ),
      'utf8',
    ),
  );
  const event = page.fileEvents[0];
  event['@timestamp'] = '2026-03-20T09:30:00.000Z';
  event.event.id = id;
  event.event.action = 'file-created';
  event.user.email = email;
  event.file.name = 'billing-service.zip';
  event.file.category = 'SourceCode';
  event.file.hash.sha256 = createHash('sha256').update(id).digest('hex');
  event.file.hash.md5 = null;
  event.risk.severity = 'LOW';
  if (removable) {
    event.destination.category = 'Removable Media';
    event.destination.name = 'SanDisk Cruzer';
    event.destination.domains = [];
    event.destination.tabs = [];
    event.risk.indicators = [{ name: 'Removable media', weight: 5 }];
  }
  return event;
}

describeStores('watch rules on file events', (current) => {
  const db = () => current().store.db;
  const deps = (): FileIngestDeps => ({
    db: db(),
    logger: silentLogger,
    rules: parseFileRules(rules, 'test-rules.yaml'),
    reopenWindowHours: 72,
    now: () => now,
    watchRule: fileWatchRule(defaultWatchlistContext),
  });
  const caseOf = async (email: string) => {
    const [row] = await db().select().from(cases).where(eq(cases.subjectEmail, email));
    return row;
  };

  beforeAll(async () => {
    await seedExampleDirectory(db());
    await db()
      .update(people)
      .set({ noticeDate: '2026-03-02', lastWorkingDay: '2026-04-03', timeZone: 'UTC' })
      .where(eq(people.email, 'lee.chen@example.com'));
  });

  it('departing Dropbox upload opens case', async () => {
    const summary = await ingestFileEvents(deps(), [
      corpusEvent('lee-dropbox-1', 'lee.chen@example.com'),
    ]);
    expect(summary).toMatchObject({ accepted: 1, matchedCritical: 0, casesOpened: 1 });

    const row = await caseOf('lee.chen@example.com');
    expect(row?.priority).toBe('high');
    const view = await loadCaseView(db(), await loadPseudonymKey(db()), row!.id, 'security', 'en');
    expect(view.fields.find((field) => field.id === 'watchReason')?.value).toBe(
      'Departing in 14 days; 1 source-code file uploaded to personal cloud storage.',
    );
    expect(JSON.stringify(view)).toContain(
      'matched the watch rule \\"departing: personal_cloud\\"',
    );
  });

  it('departing USB copy opens case', async () => {
    await db()
      .update(people)
      .set({ noticeDate: '2026-03-02', lastWorkingDay: '2026-03-27', timeZone: 'UTC' })
      .where(eq(people.email, 'maria.gomez@example.com'));
    const summary = await ingestFileEvents(deps(), [
      corpusEvent('maria-usb-1', 'maria.gomez@example.com', true),
    ]);
    expect(summary.casesOpened).toBe(1);
    const row = await caseOf('maria.gomez@example.com');
    const view = await loadCaseView(db(), await loadPseudonymKey(db()), row!.id, 'security', 'en');
    expect(view.fields.find((field) => field.id === 'watchReason')?.value).toBe(
      'Departing in 7 days; 1 source-code file copied to removable media.',
    );
  });

  it('unlisted person opens no case', async () => {
    const summary = await ingestFileEvents(deps(), [
      corpusEvent('dana-dropbox-1', 'dana.lee@example.com'),
      corpusEvent('sam-usb-1', 'sam.ortiz@example.com', true),
    ]);
    expect(summary).toMatchObject({ accepted: 2, casesOpened: 0, casesUpdated: 0 });
    expect(await caseOf('dana.lee@example.com')).toBeUndefined();
    expect(await caseOf('sam.ortiz@example.com')).toBeUndefined();
  });

  it('no hook opens no case', async () => {
    const summary = await ingestFileEvents({ ...deps(), watchRule: undefined }, [
      corpusEvent('lee-dropbox-2', 'lee.chen@example.com'),
    ]);
    expect(summary.casesOpened + summary.casesUpdated).toBe(0);
  });
});
