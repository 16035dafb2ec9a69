import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesConfigPath, repoRoot } from '../support/builders.ts';
import { makeFileEventRecord } from '../support/file-events.ts';
import { runCli as run } from '../support/run-cli.ts';
import { openTestStore, testBackends } from '../support/stores.ts';

const saasPage = path.join(
  repoRoot,
  'test',
  'fixtures',
  'feeds',
  'incydr',
  'file-events-v2-search-saas-salesforce-gmail.json',
);
const sha256 = 'cd'.repeat(32);

// Each command starts a Node process that migrates the store first; on a busy machine that takes
// 10–25 s, hence the long timeouts.
for (const backend of testBackends()) {
  describe(`casebridge files CLI [${backend}]`, { timeout: 120_000 }, () => {
    let env: NodeJS.ProcessEnv;
    let dataDir: string;
    let drop = async () => {};

    beforeAll(async () => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'casebridge-files-cli-'));
      env = {
        PATH: process.env.PATH,
        CASEBRIDGE_DATA_DIR: dataDir,
        CASEBRIDGE_CONFIG: examplesConfigPath,
        LOG_LEVEL: 'warn',
      };
      if (backend === 'postgres') {
        const handle = await openTestStore('postgres');
        await handle.store.close();
        env.DATABASE_URL = handle.databaseUrl!;
        drop = () => handle.drop();
      }
    });

    afterAll(async () => {
      rmSync(dataDir, { recursive: true, force: true });
      await drop().catch(() => {});
    });

    it('ingests NDJSON from stdin and reports rejects', async () => {
      const lines = [
        JSON.stringify(
          makeFileEventRecord({
            id: 'cli-1',
            time: '2026-02-01T08:00:00Z',
            email: 'dana.lee@example.com',
            sha256,
          }),
        ),
        '{"broken": ',
        JSON.stringify(
          makeFileEventRecord({
            id: 'cli-2',
            time: '2026-02-02T08:00:00Z',
            email: 'lee.chen@example.com',
            sha256,
          }),
        ),
      ].join('\n');
      const result = await run(
        env,
        ['ingest', '--feed', 'incydr-file-events', '-', '--json'],
        lines,
      );
      expect(result.code).toBe(1);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ accepted: 2, suppressed: 0, casesOpened: 0 });
      expect(summary.rejected).toEqual([
        { index: 1, reason: expect.stringContaining('line 2 is not valid JSON') },
      ]);
    });

    it('imports the registry and finds a file', async () => {
      const csv = path.join(dataDir, 'registry.csv');
      writeFileSync(
        csv,
        `sha256,md5,label,owner,sensitivity\n${sha256},,Design doc,R&D,confidential\n`,
      );
      const imported = await run(env, ['files', 'import', csv, '--json']);
      expect(JSON.parse(imported.stdout)).toEqual({ imported: 1 });

      const where = await run(env, ['files', 'where', sha256, '--json']);
      expect(where.code).toBe(0);
      const found = JSON.parse(where.stdout);
      expect(found.critical).toMatchObject({ label: 'Design doc', sensitivity: 'confidential' });
      expect(found.sightings.map((s: { externalId: string }) => s.externalId)).toEqual([
        'cli-2',
        'cli-1',
      ]);
    });

    it('tests rules without storing', async () => {
      const result = await run(env, ['rules', 'test', saasPage, '--json']);
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ suppressed: 0, flagged: 1, passed: 1, rejected: 0 });
      expect(report.verdicts[1]).toMatchObject({
        verdict: 'flag',
        rule: 'source-code-to-personal-mail',
      });
    });
  });
}
