import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { isCasebridgeError } from '../../src/errors.ts';
import { createIncydrJob } from '../../src/incydr/incydr-job.ts';
import { incydrSettingsSchema } from '../../src/incydr/settings.ts';
import { createLeaderLock } from '../../src/jobs/leader.ts';
import { createRuntime } from '../../src/runtime.ts';
import { cases } from '../../src/store/schema.ts';
import { FakeIncydrApi } from '../support/fake-incydr-api.ts';
import { describeStores } from '../support/stores.ts';
import { captureLogs, makeSession } from './incydr-fixtures.ts';

describeStores('incydr job', (current) => {
  let fake: FakeIncydrApi;

  beforeAll(async () => {
    fake = await new FakeIncydrApi().start();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('runs the pull under the leader lock and logs it', async () => {
    const { store } = current();
    fake.addSessions([
      makeSession('job-1', 'dana.lee@example.com', new Date(Date.now() - 3_600_000)),
    ]);
    const logs = captureLogs();
    const job = createIncydrJob({
      leader: createLeaderLock({ store, logger: logs.logger }),
      logger: logs.logger,
      db: store.db,
      settings: incydrSettingsSchema.parse({ baseUrl: fake.url, streams: ['sessions'] }),
      env: { INCYDR_CLIENT_ID: fake.clientId, INCYDR_CLIENT_SECRET: fake.clientSecret },
      intake: { db: store.db, logger: logs.logger, reopenWindowHours: 72 },
    });

    const [first, overlapping] = await Promise.all([job.runOnce(), job.runOnce()]);

    expect(first?.streams[0]).toMatchObject({
      stream: 'sessions',
      status: 'succeeded',
      records: 1,
    });
    expect(overlapping).toBeNull();
    expect(await store.db.select().from(cases)).toHaveLength(1);
    const messages = logs.lines().map((line) => line.msg);
    expect(messages).toEqual(
      expect.arrayContaining([
        'incydr pull started',
        'incydr stream pull started',
        'incydr stream pull finished',
        'incydr pull finished',
        'job run finished',
      ]),
    );
    const finished = logs.lines().find((line) => line.msg === 'job run finished');
    expect(finished).toMatchObject({ job: 'incydr-pull' });
    expect(typeof finished?.durationMs).toBe('number');
    expect(logs.text()).not.toContain(fake.clientSecret);
  });

  it('is scheduled by the serving runtime', async () => {
    const { store } = current();
    const dir = mkdtempSync(path.join(tmpdir(), 'casebridge-incydr-runtime-'));
    const file = path.join(dir, 'casebridge.yaml');
    writeFileSync(file, `incydr:\n  baseUrl: ${fake.url}\n  pollEvery: '*/10 * * * *'\n`);
    const logs = captureLogs();
    const env = {
      CASEBRIDGE_CONFIG: file,
      INCYDR_CLIENT_ID: fake.clientId,
      INCYDR_CLIENT_SECRET: fake.clientSecret,
    };
    const deps = { logger: logs.logger, store, close: async () => {} };

    const runtime = await createRuntime({ ...deps, config: loadConfig(env) });
    await runtime.start();
    await runtime.stop();

    const scheduled = logs.lines().find((line) => line.job === 'incydr-pull');
    expect(scheduled).toMatchObject({ msg: 'job scheduled', cron: '*/10 * * * *' });
    const withoutSecret = loadConfig({ ...env, INCYDR_CLIENT_SECRET: '' });
    await expect(createRuntime({ ...deps, config: withoutSecret })).rejects.toThrow(
      /INCYDR_CLIENT_SECRET is not set/,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('incydr configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'casebridge-incydr-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function load(yaml: string) {
    const file = path.join(dir, 'casebridge.yaml');
    writeFileSync(file, yaml);
    return loadConfig({ CASEBRIDGE_CONFIG: file });
  }

  it('fills the defaults', () => {
    const config = load('incydr:\n  baseUrl: https://api.us.code42.com\n');
    expect(config.file.incydr).toMatchObject({
      pollEvery: '*/5 * * * *',
      streams: ['sessions', 'file-events'],
      requestsPerMinute: 120,
      fileEventsPageSize: 1000,
    });
  });

  it.each([
    ['incydr:\n  baseUrl: api.us.code42.com\n', 'baseUrl'],
    ["incydr:\n  baseUrl: https://x.example\n  pollEvery: 'every 5 minutes'\n", 'pollEvery'],
    ['incydr:\n  baseUrl: https://x.example\n  streams: [alerts]\n', 'streams'],
    ['incydr:\n  baseUrl: https://x.example\n  fileEventsPageSize: 20000\n', 'fileEventsPageSize'],
  ])('rejects an invalid block %#', (yaml, key) => {
    let failure: unknown;
    try {
      load(yaml);
    } catch (error) {
      failure = error;
    }
    expect(isCasebridgeError(failure) && failure.code).toBe('CONFIG_INVALID');
    expect((failure as Error).message).toContain(key);
  });
});
