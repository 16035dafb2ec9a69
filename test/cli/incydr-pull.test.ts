import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSession } from '../incydr/incydr-fixtures.ts';
import { FakeIncydrApi } from '../support/fake-incydr-api.ts';
import { runCli as run } from '../support/run-cli.ts';
import { openTestStore, testBackends } from '../support/stores.ts';

// A fresh PGlite directory costs the CLI an initdb, so the real server is used when there is one.
const backend = testBackends().includes('postgres') ? 'postgres' : 'pglite';
// Each command starts a process that opens and migrates the store.
const commandTimeoutMs = 180_000;

describe(`casebridge incydr pull [${backend}]`, () => {
  let fake: FakeIncydrApi;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let drop = async () => {};

  beforeAll(async () => {
    fake = await new FakeIncydrApi().start();
    fake.addSessions([
      makeSession('cli-1', 'dana.lee@example.com', new Date(Date.now() - 3_600_000)),
      makeSession('cli-2', 'dana.lee@example.com', new Date(Date.now() - 1_800_000)),
    ]);
    dir = mkdtempSync(path.join(tmpdir(), 'casebridge-incydr-'));
    const config = path.join(dir, 'casebridge.yaml');
    writeFileSync(config, `incydr:\n  baseUrl: ${fake.url}\n  streams: [sessions, file-events]\n`);
    env = {
      PATH: process.env.PATH,
      CASEBRIDGE_DATA_DIR: path.join(dir, 'data'),
      CASEBRIDGE_CONFIG: config,
      LOG_LEVEL: 'info',
      INCYDR_CLIENT_ID: fake.clientId,
      INCYDR_CLIENT_SECRET: fake.clientSecret,
    };
    if (backend === 'postgres') {
      const handle = await openTestStore('postgres');
      await handle.store.close();
      env.DATABASE_URL = handle.databaseUrl ?? undefined;
      drop = () => handle.drop();
    }
  });
  afterAll(async () => {
    await drop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'pulls one stream and prints the summary',
    async () => {
      const result = await run(env, ['incydr', 'pull', '--stream', 'sessions', '--json']);

      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout) as { streams: Array<Record<string, unknown>> };
      expect(summary.streams).toHaveLength(1);
      expect(summary.streams[0]).toMatchObject({
        stream: 'sessions',
        status: 'succeeded',
        records: 2,
        handled: { created: 1, grouped: 1 },
      });
      expect(fake.callsTo('/v2/file-events')).toHaveLength(0);
      expect(result.stderr).toContain('incydr pull finished');
      expect(result.stderr).not.toContain(fake.clientSecret);

      const cases = await run(env, ['cases', 'list', '--json']);
      expect(JSON.parse(cases.stdout)).toHaveLength(1);
    },
    commandTimeoutMs,
  );

  it(
    'rejects a pull without credentials',
    async () => {
      const result = await run({ ...env, INCYDR_CLIENT_SECRET: '' }, ['incydr', 'pull', '--json']);

      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'CONFIG_INVALID' } });
      expect(result.stdout).toContain('INCYDR_CLIENT_SECRET');
    },
    commandTimeoutMs,
  );
});
