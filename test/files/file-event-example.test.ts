import { createReadStream, readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { showCase } from '../../src/cases/show-case.ts';
import {
  parseCriticalFileCsv,
  upsertCriticalFiles,
} from '../../src/files/critical-file-registry.ts';
import { parseFileRules } from '../../src/files/file-rules.ts';
import { findFileSightings } from '../../src/files/find-file-sightings.ts';
import { ingestFileEvents } from '../../src/files/ingest-file-events.ts';
import { cases } from '../../src/store/schema.ts';
import { seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const example = (name: string) => new URL(`../../examples/${name}`, import.meta.url);

// The example that the README walks through: examples/file-events with the example rules.
describeStores('the file-event example', (current) => {
  beforeAll(async () => {
    await seedExampleDirectory(current().store.db);
  });

  it('opens one explained case', async () => {
    const db = current().store.db;
    const registry = parseCriticalFileCsv(
      readFileSync(example('file-events/registry.csv'), 'utf8'),
    );
    await db.transaction((tx) => upsertCriticalFiles(tx, registry));

    const summary = await ingestFileEvents(
      {
        db,
        logger: silentLogger,
        rules: parseFileRules(readFileSync(example('files-rules.yaml'), 'utf8'), 'rules'),
        reopenWindowHours: 72,
      },
      createReadStream(example('file-events/events.ndjson')),
    );
    expect(summary).toMatchObject({
      accepted: 357,
      suppressed: 48,
      matchedCritical: 1,
      rejectedCount: 0,
      casesOpened: 1,
    });

    const opened = await db.select().from(cases);
    expect(opened.map((row) => row.subjectEmail)).toEqual(['maria.gomez@example.com']);
    const detail = await showCase(db, opened[0]!.id);
    expect(detail.priority).toBe('critical');
    expect(detail.signals.map((signal) => signal.title)).toEqual([
      'File activity: 8× this person\'s normal volume of source code to Cloud Storage; includes the critical file "Payments service source"',
    ]);

    const found = await findFileSightings(db, 'B6D96FFB3235D63ECCA0F23531A139C1');
    expect(found.critical?.label).toBe('Payments service source');
    expect(found.sightings.map((s) => [s.user, s.device, s.destination, s.fileName])).toEqual([
      ['maria.gomez@example.com', 'LAPTOP-MGOMEZ', 'Dropbox', 'payments-service.zip'],
    ]);
    const olivia = await db
      .select()
      .from(cases)
      .where(eq(cases.subjectEmail, 'olivia.park@example.com'));
    expect(olivia).toEqual([]);
  });
});
