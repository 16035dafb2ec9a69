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

  it('plans ahead but runs only up to now', { timeout: 120_000 }, async () => {
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

    const planActions = async () => {
      const plan = await run(env, ['retention', 'plan', '--as-of', '2099-01-01', '--json']);
      expect(plan.code).toBe(0);
      return Object.fromEntries(
        JSON.parse(plan.stdout).cases.map((entry: { key: string; action: string }) => [
          entry.key,
          entry.action,
        ]),
      );
    };
    expect(await planActions()).toEqual({ [first]: 'anonymise', [second]: 'held' });

    const future = await run(env, ['retention', 'run', '--as-of', '2099-01-01', '--json']);
    expect(future.code).toBe(2);
    const error = JSON.parse(future.stdout).error;
    expect(error.code).toBe('USAGE_INVALID');
    expect(error.message).toContain('"2099-01-01"');
    expect(error.message).toContain('is later than the current time');
    expect(error.message).toContain('retention plan --as-of 2099-01-01');
    expect(Date.parse(error.details.now)).toBeLessThanOrEqual(Date.now());

    const futureText = await run(env, ['retention', 'run', '--as-of', '2099-01-01']);
    expect(futureText.code).toBe(2);
    expect(futureText.stdout).toBe('');
    expect(futureText.stderr).toMatch(/^casebridge: --as-of "2099-01-01" .* \[USAGE_INVALID\]\n$/);

    const ran = await run(env, ['retention', 'run', '--json']);
    expect(ran.code).toBe(0);
    const result = JSON.parse(ran.stdout);
    expect(result.anonymised).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(await planActions()).toEqual({ [first]: 'anonymise', [second]: 'held' });

    const verified = JSON.parse((await run(env, ['audit', 'verify', '--json'])).stdout);
    expect(verified.ok).toBe(true);
    expect(verified.redacted).toBe(0);
    const text = await run(env, ['audit', 'verify']);
    expect(text.stdout).toMatch(/\(0 redacted\)/);
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
