import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { upsertCriticalFiles } from '../../src/files/critical-file-registry.ts';
import { parseFileRules } from '../../src/files/file-rules.ts';
import { findFileSightings } from '../../src/files/find-file-sightings.ts';
import { ingestFileEvents } from '../../src/files/ingest-file-events.ts';
import { criticalFiles } from '../../src/store/schema-files.ts';
import { silentLogger } from '../support/builders.ts';
import { makeFileEventRecord } from '../support/file-events.ts';
import { describeStores } from '../support/stores.ts';

const shaA = 'a1'.repeat(32);
const md5A = 'a2'.repeat(16);
const shaB = 'b1'.repeat(32);
const md5B = 'b2'.repeat(16);

describeStores('critical file registry in the store', (current) => {
  const upsert = (entries: Parameters<typeof upsertCriticalFiles>[1]) =>
    current().store.db.transaction((tx) => upsertCriticalFiles(tx, entries));

  it('keeps the stored owner and hash that an update leaves out', async () => {
    await upsert([
      { sha256: shaA, md5: md5A, label: 'Roadmap', owner: 'Strategy', sensitivity: 'internal' },
    ]);
    await upsert([{ sha256: shaA, label: 'Roadmap 2027', sensitivity: 'restricted' }]);
    const [row] = await current()
      .store.db.select()
      .from(criticalFiles)
      .where(eq(criticalFiles.sha256, shaA));
    expect(row).toMatchObject({
      label: 'Roadmap 2027',
      owner: 'Strategy',
      md5: md5A,
      sensitivity: 'restricted',
    });
  });

  it('rejects hashes of two listed files', async () => {
    await upsert([{ sha256: shaB, md5: md5B, label: 'Payroll', sensitivity: 'confidential' }]);
    const clash = upsert([{ sha256: shaA, md5: md5B, label: 'Mixed', sensitivity: 'internal' }]);
    await expect(clash).rejects.toMatchObject({ code: 'USAGE_INVALID' });
    await expect(clash).rejects.toThrow(
      /clashes with the registry: "Roadmap 2027".* and "Payroll"/,
    );
    const otherMd5 = upsert([
      { sha256: shaB, md5: 'c3'.repeat(16), label: 'Payroll', sensitivity: 'internal' },
    ]);
    await expect(otherMd5).rejects.toThrow(/clashes with the registry: "Payroll"/);
  });

  it('finds sightings by either hash of a listed file', async () => {
    const summary = await ingestFileEvents(
      {
        db: current().store.db,
        logger: silentLogger,
        rules: parseFileRules('', null),
        reopenWindowHours: 72,
      },
      [
        makeFileEventRecord({
          id: 'by-sha',
          time: '2026-05-01T10:00:00Z',
          email: 'where@example.org',
          sha256: shaB,
          recipients: ['friend@mail.example'],
          destinationCategory: null,
          destinationName: null,
        }),
        makeFileEventRecord({
          id: 'by-md5',
          time: '2026-05-02T10:00:00Z',
          email: 'where@example.org',
          md5: md5B,
        }),
      ],
    );
    expect(summary).toMatchObject({ accepted: 2, matchedCritical: 2 });

    for (const hash of [shaB, md5B]) {
      const found = await findFileSightings(current().store.db, hash);
      expect(found.critical?.label).toBe('Payroll');
      expect(found.sightings.map((sighting) => sighting.externalId)).toEqual(['by-md5', 'by-sha']);
    }
    const bySha = await findFileSightings(current().store.db, shaB);
    expect(bySha.sightings[1]).toMatchObject({ destination: 'mail.example', suppressedBy: null });
  });
});
