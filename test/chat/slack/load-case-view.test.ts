import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { loadPseudonymKey, pseudonymFor } from '../../../src/cases/pseudonym.ts';
import { loadCaseView, loadCaseViewInput } from '../../../src/chat/load-case-view.ts';
import { ingestBatch } from '../../../src/intake/ingest-batch.ts';
import { cases } from '../../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory } from '../../support/builders.ts';
import { describeStores } from '../../support/stores.ts';

describeStores('loadCaseView', (current) => {
  let key: Buffer;
  let caseId: string;

  beforeAll(async () => {
    const { db } = current().store;
    await seedExampleDirectory(db);
    key = await loadPseudonymKey(db);
    const subject = { email: people.subject, externalIds: [], displayName: null };
    const first = makeSignal({
      externalId: 'usb-1',
      subject,
      title: 'Files copied to USB',
      files: [
        { name: 'a.c', path: null, sha256: null, md5: null, category: null, sizeBytes: null },
        { name: 'b.c', path: null, sha256: null, md5: null, category: null, sizeBytes: null },
      ],
      raw: { id: 'usb-1', revision: 1 },
    });
    const [result] = await db.transaction((tx) =>
      ingestBatch(tx, [first], { reopenWindowHours: 0, now: new Date() }),
    );
    caseId = result!.caseId!;
    const update = makeSignal({
      externalId: 'usb-1',
      subject,
      title: 'Files copied to USB (updated)',
      severity: 'high',
      indicators: ['removable-media', 'off-hours'],
      files: [],
      destination: { category: 'Cloud Storage', name: null },
      riskScore: null,
      raw: { id: 'usb-1', revision: 2 },
    });
    const other = makeSignal({ subject, title: 'Printed 300 pages', destination: null });
    await db.transaction((tx) =>
      ingestBatch(tx, [update, other], { reopenWindowHours: 0, now: new Date() }),
    );
  });

  it('builds the view input from the stored case', async () => {
    const { db } = current().store;
    const [row] = await db.select().from(cases).where(eq(cases.id, caseId));

    const input = await loadCaseViewInput(db, key, row!.key);

    expect(input.id).toBe(caseId);
    expect(input.key).toBe(row!.key);
    expect(input.version).toBe(row!.version);
    expect(input.state).toBe('triage');
    expect(input.subject).toEqual({
      pseudonym: pseudonymFor(key, row!.subjectKey),
      name: 'Dana Lee',
      email: people.subject,
      resolved: true,
      managerKnown: true,
    });
    expect(input.signals).toHaveLength(2);
    expect(input.signals.find((signal) => signal.title.startsWith('Files'))).toEqual({
      source: 'webhook',
      title: 'Files copied to USB (updated)',
      severity: 'high',
      observedAt: '2026-11-30T10:00:00.000Z',
      indicators: ['removable-media', 'off-hours'],
      fileCount: 0,
      destination: 'Cloud Storage',
      riskScore: null,
    });
    expect(input.signals.find((signal) => signal.title.startsWith('Printed'))).toMatchObject({
      destination: null,
      riskScore: 40,
    });
  });

  it('renders per audience', async () => {
    const { db } = current().store;

    const security = await loadCaseView(db, key, caseId, 'security', 'en');
    const hr = await loadCaseView(db, key, caseId, 'hr', 'en');

    const [row] = await db.select().from(cases).where(eq(cases.id, caseId));
    expect(security.subjectLabel).toBe(pseudonymFor(key, row!.subjectKey));
    expect(JSON.stringify(security)).not.toContain('Dana Lee');
    expect(hr.subjectLabel).toBe(`Dana Lee <${people.subject}>`);
    expect(security.evidence?.items).toHaveLength(2);
  });

  it('names a destination by name and category', async () => {
    const { db } = current().store;

    const input = await loadCaseViewInput(db, key, caseId);

    expect(input.signals.map((signal) => signal.destination)).not.toContain(
      'USB (Removable Media)',
    );
    const subject = { email: 'dest.subject@example.com', externalIds: [], displayName: null };
    const [result] = await db.transaction((tx) =>
      ingestBatch(tx, [makeSignal({ subject })], { reopenWindowHours: 0, now: new Date() }),
    );
    const fresh = await loadCaseViewInput(db, key, result!.caseId!);
    expect(fresh.signals[0]?.destination).toBe('USB (Removable Media)');
    expect(fresh.subject.name).toBeNull();
    expect(fresh.subject.resolved).toBe(false);
  });
});
