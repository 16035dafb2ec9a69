import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { showCase } from '../../src/cases/show-case.ts';
import { loadConfig } from '../../src/config.ts';
import { CasebridgeError } from '../../src/errors.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { buildServer } from '../../src/http/server.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import {
  type DataProtectionService,
  localDataProtectionService,
  remoteDataProtectionService,
} from '../../src/retention/data-protection-service.ts';
import { fakeIngestFeed } from '../http/start-server.ts';
import {
  examplesConfigPath,
  makeSignal,
  people,
  seedExampleDirectory,
  silentLogger,
} from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const DAY_MS = 86_400_000;

/** Catches the rejection of `promise`, failing the test when it resolves instead. */
async function rejectionOf(promise: Promise<unknown>): Promise<CasebridgeError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CasebridgeError);
  return error as CasebridgeError;
}

describeStores('retention run time check', (current) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-retention-api-'));
  const config = loadConfig({ CASEBRIDGE_CONFIG: examplesConfigPath }, folder);
  const db = () => current().store.db;
  // The clock of the service on both paths; a test moves it to measure a run later.
  let clock = new Date();
  let app: FastifyInstance;
  let local: DataProtectionService;
  let remote: DataProtectionService;
  let caseKey: string;

  beforeAll(async () => {
    local = localDataProtectionService({
      db: db(),
      logger: silentLogger,
      config: config.file,
      now: () => clock,
    });
    app = await buildServer({
      config,
      store: current().store,
      logger: silentLogger,
      metrics: createMetrics(),
      ingestFeed: fakeIngestFeed().ingestFeed,
      dataProtection: local,
    });
    remote = remoteDataProtectionService(await app.listen({ host: '127.0.0.1', port: 0 }));

    await seedExampleDirectory(db());
    const [opened] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal()], { reopenWindowHours: 0, now: clock }),
    );
    caseKey = (await showCase(db(), opened!.caseId!)).key;
    await actOnCase(
      { db: db(), logger: silentLogger },
      {
        caseRef: caseKey,
        actorEmail: people.analyst,
        event: { type: 'DISMISS', outcome: 'false_positive', reason: 'approved backup' },
      },
    );
  });

  afterAll(async () => {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const subjectEmail = async () =>
    (await showCase(db(), caseKey, { revealIdentity: true })).subject.identity?.email;

  for (const [name, service] of [
    ['local', () => local],
    ['local API', () => remote],
  ] as const) {
    it(`${name} run rejects a future date`, async () => {
      const error = await rejectionOf(service().runRetention('2099-01-01'));

      expect(error.code).toBe('USAGE_INVALID');
      expect(error.message).toContain('"2099-01-01"');
      expect(error.message).toContain(clock.toISOString());
      expect(error.message).toContain('retention plan --as-of 2099-01-01');
      expect(error.details).toEqual({
        asOf: '2099-01-01T00:00:00.000Z',
        now: clock.toISOString(),
      });
      expect(await subjectEmail()).toBe(people.subject);
    });

    it(`${name} run rejects one millisecond ahead`, async () => {
      const ahead = new Date(clock.getTime() + 1).toISOString();
      const error = await rejectionOf(service().runRetention(ahead));

      expect(error.code).toBe('USAGE_INVALID');
      expect(error.message).toContain(ahead);
    });

    it(`${name} plan accepts a future date`, async () => {
      const plan = await service().planRetention('2099-01-01');

      expect(plan.cases.map((entry) => [entry.key, entry.action])).toEqual([
        [caseKey, 'anonymise'],
      ]);
      expect(await subjectEmail()).toBe(people.subject);
    });
  }

  it('run accepts the current time', async () => {
    const result = await remote.runRetention(clock.toISOString());

    expect(result.asOf).toBe(clock.toISOString());
    expect(result.anonymised).toEqual([]);
    expect(await subjectEmail()).toBe(people.subject);
  });

  it('run anonymises once the period has passed', async () => {
    clock = new Date(clock.getTime() + 31 * DAY_MS);

    const result = await remote.runRetention();

    expect(result.anonymised.map((entry) => entry.key)).toEqual([caseKey]);
    expect(await subjectEmail()).toBeNull();
  });
});
