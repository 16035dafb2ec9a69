import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import type { Signal } from '../../src/feeds/signal.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { createLogger } from '../../src/log.ts';
import type { CaseNotifier } from '../../src/outbox/case-notifier.ts';
import { syncDirectory } from '../../src/people/sync-directory.ts';
import type { Db } from '../../src/store/db.ts';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const examplesConfigPath = path.join(repoRoot, 'examples', 'casebridge.yaml');

/** A logger that writes nothing; tests that assert on logs pass their own destination. */
export const silentLogger = createLogger({ level: 'silent' });

/** Loads the example configuration and directory into a database. */
export async function seedExampleDirectory(db: Db) {
  const config = loadConfig({ CASEBRIDGE_CONFIG: examplesConfigPath });
  await syncDirectory(db, config);
  return config;
}

let counter = 0;

/** Builds a normalised signal; each call gets a new external id unless one is given. */
export function makeSignal(overrides: Partial<Signal> = {}): Signal {
  counter++;
  const externalId =
    overrides.externalId ?? `test-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  return {
    source: 'webhook',
    kind: 'webhook.signal',
    externalId,
    subject: { email: 'dana.lee@example.com', externalIds: [], displayName: null },
    observedAt: new Date('2026-11-30T10:00:00Z'),
    severity: 'medium',
    riskScore: 40,
    title: 'Files copied to removable media',
    indicators: ['removable-media'],
    files: [],
    destination: { category: 'Removable Media', name: 'USB' },
    raw: { id: externalId, detail: overrides.title ?? 'copy' },
    ...overrides,
  };
}

/** The people of the example directory, by role, for tests that act on cases. */
export const people = {
  subject: 'dana.lee@example.com',
  manager: 'maria.gomez@example.com',
  analyst: 'ann.analyst@example.com',
  analyst2: 'ben.analyst@example.com',
  hr: 'hana.hr@example.com',
  hr2: 'hugo.hr@example.com',
  legal: 'leo.legal@example.com',
  legal2: 'lia.legal@example.com',
} as const;

/** Opens a case for `email` with one new signal, notifying through `notifier`; returns its id. */
export async function openCaseFor(
  db: Db,
  email: string,
  options: { now: Date; notifier: CaseNotifier },
): Promise<string> {
  const [result] = await db.transaction((tx) =>
    ingestBatch(tx, [makeSignal({ subject: { email, externalIds: [], displayName: null } })], {
      reopenWindowHours: 0,
      now: options.now,
      notifier: options.notifier,
    }),
  );
  return result!.caseId!;
}
