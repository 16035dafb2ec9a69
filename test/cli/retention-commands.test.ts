import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesConfigPath, people, repoRoot } from '../support/builders.ts';
import { runCli as run, type ServedCli, startServedCli } from '../support/run-cli.ts';

const samples = path.join(repoRoot, 'examples', 'detections', 'webhook-signals.ndjson');

// One server holds the embedded database, as in the demo, so every command below goes through
// its local API.
describe('retention commands beside a running server', () => {
  let served: ServedCli;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'casebridge-retention-'));
    served = await startServedCli(dataDir, examplesConfigPath);
    env = served.env;
  });

  afterAll(async () => {
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('plans, runs and keeps the audit verifiable', { timeout: 120_000 }, async () => {
    expect((await run(env, ['ingest', '--feed', 'webhook', samples, '--json'])).code).toBe(0);
    const listed = JSON.parse((await run(env, ['cases', 'list', '--json'])).stdout);
    const [first, second] = listed.map((row: { key: string }) => row.key);
    const dismiss = (key: string, outcome: string) =>
      run(env, [
        'cases',
        'act',
        key,
        'DISMISS',
        '--as',
        people.analyst,
        '--outcome',
        outcome,
        '--reason',
        'expected',
      ]);
    expect((await dismiss(first, 'false_positive')).code).toBe(0);
    expect((await dismiss(second, 'false_positive')).code).toBe(0);
    const hold = await run(env, [
      'cases',
      'act',
      second,
      'LEGAL_HOLD',
      '--as',
      people.legal,
      '--reason',
      'matter 17',
    ]);
    expect(hold.code).toBe(0);

    const plan = await run(env, ['retention', 'plan', '--as-of', '2099-01-01', '--json']);
    expect(plan.code).toBe(0);
    const actions = Object.fromEntries(
      JSON.parse(plan.stdout).cases.map((entry: { key: string; action: string }) => [
        entry.key,
        entry.action,
      ]),
    );
    expect(actions).toEqual({ [first]: 'anonymise', [second]: 'held' });

    const ran = await run(env, ['retention', 'run', '--as-of', '2099-01-01', '--json']);
    expect(ran.code).toBe(0);
    const result = JSON.parse(ran.stdout);
    expect(result.anonymised.map((entry: { key: string }) => entry.key)).toEqual([first]);
    expect(result.held.map((entry: { key: string }) => entry.key)).toEqual([second]);

    const verified = JSON.parse((await run(env, ['audit', 'verify', '--json'])).stdout);
    expect(verified.ok).toBe(true);
    expect(verified.redacted).toBeGreaterThan(0);
    const text = await run(env, ['audit', 'verify']);
    expect(text.stdout).toMatch(/\d+ redacted/);
  });

  it('exports a subject to a private file', async () => {
    const out = path.join(dataDir, 'export.json');
    const exported = await run(env, [
      'subject',
      'export',
      people.subject,
      '--as',
      'pia.privacy@example.com',
      '--out',
      out,
      '--json',
    ]);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout).out).toBe(out);
    expect(JSON.parse(readFileSync(out, 'utf8')).subject).toBe(people.subject);
    expect(statSync(out).mode & 0o077).toBe(0);

    const refused = await run(env, [
      'subject',
      'export',
      people.subject,
      '--as',
      people.analyst,
      '--json',
    ]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).error.code).toBe('NOT_AUTHORIZED');
  });

  it('rejects a bad --as-of', async () => {
    const result = await run(env, ['retention', 'plan', '--as-of', 'next year', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error.message).toContain('next year');
  });
});
