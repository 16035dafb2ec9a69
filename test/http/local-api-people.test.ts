import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { localCaseService } from '../../src/cases/case-service.ts';
import { createOutput } from '../../src/cli/output.ts';
import { runPeopleImport } from '../../src/cli/people-import.ts';
import { loadConfig } from '../../src/config.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { buildServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import { people } from '../../src/store/schema.ts';
import { describeStores } from '../support/stores.ts';
import { fakeIngestFeed } from './start-server.ts';

describeStores('POST /api/people/import', (current) => {
  let app: FastifyInstance;
  let url: string;
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-people-api-'));

  beforeAll(async () => {
    const logger = createLogger({ level: 'silent' });
    const db = current().store.db;
    app = await buildServer({
      config: loadConfig({}, folder),
      store: current().store,
      logger,
      metrics: createMetrics(),
      ingestFeed: fakeIngestFeed().ingestFeed,
      caseService: localCaseService({ db, logger, reopenWindowHours: 72 }),
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
  });

  const person = async (email: string) =>
    (await current().store.db.select().from(people).where(eq(people.email, email)))[0];

  it('dry run returns the diff only', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/api/people/import?dryRun=true',
      headers: { 'content-type': 'text/csv' },
      payload: 'email,name\nkim@example.com,Kim\n',
    });

    expect(reply.statusCode).toBe(200);
    expect(reply.json()).toMatchObject({
      dryRun: true,
      added: [{ line: 2, email: 'kim@example.com' }],
    });
    expect(await person('kim@example.com')).toBeUndefined();
  });

  it('rejects other addresses without the token', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/api/people/import',
      remoteAddress: '10.1.2.3',
      headers: { 'content-type': 'text/csv' },
      payload: 'email,name\nkim@example.com,Kim\n',
    });

    expect(reply.statusCode).toBe(401);
    expect(await person('kim@example.com')).toBeUndefined();
  });

  it('CLI imports through the server holding the data directory', async () => {
    const dataDir = path.join(folder, 'data');
    const csvFile = path.join(folder, 'people.csv');
    writeFileSync(csvFile, 'email,name,department\nkim@example.com,Kim,Legal\nbad,Bad\n');
    // A live process other than this one owns the lock, as a running `casebridge serve` would.
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      path.join(dataDir, 'casebridge.lock'),
      JSON.stringify({ pid: process.ppid, serverUrl: url }),
    );
    let printed = '';
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        printed += String(chunk);
        done();
      },
    });

    const exitCode = await runPeopleImport(
      createOutput(true, stdout),
      csvFile,
      { dryRun: false, deactivateMissing: false },
      { CASEBRIDGE_DATA_DIR: dataDir },
    );

    expect(exitCode).toBe(1);
    const report = JSON.parse(printed);
    expect(report.added).toEqual([{ line: 2, email: 'kim@example.com' }]);
    expect(report.rejected).toEqual([{ line: 3, reason: 'email is not an e-mail address' }]);
    expect((await person('kim@example.com'))?.department).toBe('Legal');
  });
});
