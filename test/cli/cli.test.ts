import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesConfigPath, people, repoRoot } from '../support/builders.ts';
import { runCli as run, type ServedCli, startServedCli } from '../support/run-cli.ts';
import { openTestStore, testBackends } from '../support/stores.ts';

const samples = path.join(repoRoot, 'examples', 'detections');
const invalidEscape = path.join(
  repoRoot,
  'test',
  'fixtures',
  'feeds',
  'incydr',
  'file-events-v2-invalid-json-escape.txt',
);

for (const backend of testBackends()) {
  describe(`casebridge CLI [${backend}]`, () => {
    let env: NodeJS.ProcessEnv;
    let cleanup: () => Promise<void>;
    let caseKey: string;

    beforeAll(async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'casebridge-cli-'));
      env = {
        PATH: process.env.PATH,
        CASEBRIDGE_DATA_DIR: dataDir,
        CASEBRIDGE_CONFIG: examplesConfigPath,
        LOG_LEVEL: 'warn',
      };
      cleanup = async () => rmSync(dataDir, { recursive: true, force: true });
      if (backend === 'postgres') {
        const handle = await openTestStore('postgres');
        await handle.store.close();
        env.DATABASE_URL = handle.databaseUrl!;
        const removeDir = cleanup;
        cleanup = async () => {
          await removeDir();
          await handle.drop().catch(() => {});
        };
      }
    });

    afterAll(async () => {
      await cleanup();
    });

    it('ingests a sample file and prints the counts', async () => {
      const result = await run(env, [
        'ingest',
        '--feed',
        'incydr',
        path.join(samples, 'incydr-sessions.json'),
        '--json',
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary.rejected).toEqual([]);
      expect(summary.created).toBeGreaterThan(0);
      expect(summary.duplicates).toBe(0);

      const again = await run(env, [
        'ingest',
        '--feed',
        'incydr',
        path.join(samples, 'incydr-sessions.json'),
        '--json',
      ]);
      const second = JSON.parse(again.stdout);
      expect(second.created).toBe(0);
      expect(second.duplicates).toBe(summary.created + summary.grouped);
    });

    it('reads NDJSON from standard input', async () => {
      const line = JSON.stringify({
        id: 'cli-stdin-1',
        subject: { email: 'sam.ortiz@example.com' },
        observedAt: '2026-11-30T08:00:00Z',
        severity: 'high',
        title: 'Upload to personal cloud',
      });
      const result = await run(
        env,
        ['ingest', '--feed', 'webhook', '-', '--json'],
        `${line}\nnot json\n`,
      );
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout);
      expect(summary.created + summary.grouped).toBe(1);
      expect(summary.rejected).toHaveLength(1);
      expect(summary.rejected[0].index).toBe(1);
    });

    it('rejects an invalid file with exit code 1', async () => {
      const result = await run(env, ['ingest', '--feed', 'incydr', invalidEscape, '--json']);
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout);
      expect(summary.created).toBe(0);
      expect(summary.rejected).toHaveLength(1);
      expect(summary.rejected[0].index).toBe(0);
      expect(summary.rejected[0].reason).toMatch(/JSON/);
    });

    it('exits 2 on a usage error', async () => {
      const unknownFeed = await run(env, ['ingest', '--feed', 'splunk', 'x.json']);
      expect(unknownFeed.code).toBe(2);
      expect(unknownFeed.stderr).toMatch(/splunk/);
      const unknownEvent = await run(env, [
        'cases',
        'act',
        'CB-0001',
        'PROMOTE',
        '--as',
        people.analyst,
        '--json',
      ]);
      expect(unknownEvent.code).toBe(2);
      expect(JSON.parse(unknownEvent.stdout).error.code).toBe('USAGE_INVALID');
    });

    it('rejects a retention run in the future', async () => {
      const future = await run(env, ['retention', 'run', '--as-of', '2099-01-01', '--json']);
      expect(future.code).toBe(2);
      const error = JSON.parse(future.stdout).error;
      expect(error.code).toBe('USAGE_INVALID');
      expect(error.message).toContain('"2099-01-01"');
      expect(error.message).toContain('retention plan --as-of 2099-01-01');

      const plan = await run(env, ['retention', 'plan', '--as-of', '2099-01-01', '--json']);
      expect(plan.code).toBe(0);
    });

    it('lists cases in the documented shape', async () => {
      const result = await run(env, ['cases', 'list', '--json']);
      expect(result.code).toBe(0);
      const rows = JSON.parse(result.stdout);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows)
        expect(Object.keys(row).sort()).toEqual(['id', 'key', 'openedAt', 'priority', 'state']);
      const dana = await run(env, ['cases', 'list', '--state', 'triage', '--json']);
      expect(
        JSON.parse(dana.stdout).every((row: { state: string }) => row.state === 'triage'),
      ).toBe(true);
      caseKey = rows[0].key;
    });

    // Seven CLI processes, each starting Node and opening the database: slow on a loaded machine.
    it('moves a case through four-eyes approval to closed', { timeout: 120_000 }, async () => {
      const act = (event: string, as: string, ...extra: string[]) =>
        run(env, ['cases', 'act', caseKey, event, '--as', as, '--json', ...extra]);

      expect((await act('ESCALATE', people.analyst, '--reason', 'Source code to USB')).code).toBe(
        0,
      );
      const chosen = await act(
        'CHOOSE_RESPONSE',
        people.hr,
        '--response',
        'serious_action',
        '--action',
        'termination',
      );
      expect(JSON.parse(chosen.stdout).state).toBe('legal_review');

      const refused = await act('APPROVE', people.analyst);
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout).error.code).toBe('NOT_AUTHORIZED');

      expect(JSON.parse((await act('APPROVE', people.legal)).stdout).state).toBe('legal_review');
      expect(JSON.parse((await act('APPROVE', people.legal2)).stdout).state).toBe('action');
      const closed = await act('RECORD_ACTION', people.hr, '--reason', 'Access revoked');
      expect(closed.code).toBe(0);
      expect(JSON.parse(closed.stdout).state).toBe('closed');

      const shown = JSON.parse((await run(env, ['cases', 'show', caseKey, '--json'])).stdout);
      expect(shown.key).toBe(caseKey);
      expect(shown.signals.length).toBeGreaterThan(0);
      const rejected = shown.events.filter(
        (event: { outcome: string }) => event.outcome === 'rejected',
      );
      expect(rejected).toHaveLength(1);
      expect(rejected[0].actor).toBe(people.analyst);
    });

    it('verifies the audit trail', async () => {
      const result = await run(env, ['audit', 'verify', '--json']);
      expect(result.code).toBe(0);
      const verification = JSON.parse(result.stdout);
      expect(verification.ok).toBe(true);
      expect(verification.events).toBeGreaterThan(6);
    });
  });
}

describe('casebridge CLI beside a running server', () => {
  let served: ServedCli;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'casebridge-served-'));
    served = await startServedCli(dataDir, examplesConfigPath);
    env = served.env;
  });

  afterAll(async () => {
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('goes through the server that holds the embedded database', async () => {
    const ingested = await run(env, [
      'ingest',
      '--feed',
      'purview',
      path.join(samples, 'purview-alerts.json'),
      '--json',
    ]);
    expect(ingested.stderr).toBe('');
    expect(ingested.code).toBe(0);
    expect(JSON.parse(ingested.stdout).created).toBeGreaterThan(0);
    const listed = await run(env, ['cases', 'list', '--json']);
    expect(listed.code).toBe(0);
    const key = JSON.parse(listed.stdout)[0].key;
    const refused = await run(env, [
      'cases',
      'act',
      key,
      'APPROVE',
      '--as',
      people.legal,
      '--json',
    ]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe('TRANSITION_NOT_ALLOWED');
  });
});
