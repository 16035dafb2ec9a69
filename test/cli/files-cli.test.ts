import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplesConfigPath } from '../support/builders.ts';
import { makeFileEventRecord, saasFileEventsPage } from '../support/file-events.ts';
import { runCli as run, type ServedCli, startServedCli } from '../support/run-cli.ts';
import { openTestStore, testBackends } from '../support/stores.ts';

const saasPage = saasFileEventsPage;
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
        JSON.stringify(
          makeFileEventRecord({
            id: 'cli-3',
            time: '2026-02-02T09:00:00Z',
            email: 'lee.chen@example.com',
            sha256: 'not-a-hash',
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
        { index: 3, reason: 'file.hash.sha256: "not-a-hash" is not a SHA-256 (64 hex digits)' },
      ]);
    });

    it('imports the registry and finds a file', async () => {
      const csv = path.join(dataDir, 'registry.csv');
      writeFileSync(
        csv,
        `sha256,md5,label,owner,sensitivity\n${sha256},,Design doc,R&D,confidential\n`,
      );
      const imported = await run(env, ['files', 'import', csv, '--json']);
      expect(JSON.parse(imported.stdout)).toEqual({ imported: 1, added: 1, updated: 0 });

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

// One server keeps the embedded database open, as in the demo, so the commands go through its local
// API. The last test stops it and runs the read commands on the same data directory locally.
describe('casebridge files CLI beside a running server', { timeout: 120_000 }, () => {
  let served: ServedCli;
  let env: NodeJS.ProcessEnv;
  let dataDir: string;
  const printed = { list: '', where: '', whereJson: '' };
  const daveSha256 = '73620a0a8554a56e93b90fe2c8a3f732be881a7da930603a5c6e4c9207fee2d5';

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'casebridge-files-served-'));
    served = await startServedCli(dataDir, examplesConfigPath);
    env = served.env;
  });

  afterAll(async () => {
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('adds and imports registry entries', async () => {
    const added = await run(env, [
      'files',
      'add',
      '--sha256',
      sha256,
      '--label',
      'Design doc',
      '--sensitivity',
      'confidential',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toBe(`Registered Design doc (confidential): ${sha256}\n`);

    const csv = path.join(dataDir, 'registry.csv');
    writeFileSync(
      csv,
      `sha256,md5,label,owner,sensitivity\n${daveSha256},,Price list,Sales,restricted\n`,
    );
    const imported = await run(env, ['files', 'import', csv, '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ imported: 1, added: 1, updated: 0 });

    const again = await run(env, ['files', 'import', csv]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Imported 1 registry entry: 0 added, 1 updated.\n');
  });

  it('ingests a page file and NDJSON from stdin', async () => {
    const page = await run(env, ['ingest', '--feed', 'incydr-file-events', saasPage, '--json']);
    expect(page.stderr).toBe('');
    expect(page.code).toBe(0);
    expect(JSON.parse(page.stdout)).toMatchObject({
      accepted: 2,
      matchedCritical: 1,
      casesOpened: 1,
      rejected: [],
    });

    const lines = [
      JSON.stringify(
        makeFileEventRecord({
          id: 'served-1',
          time: '2026-02-01T08:00:00Z',
          email: 'dana.lee@example.com',
          sha256,
        }),
      ),
      '{"broken": ',
    ].join('\n');
    const stdin = await run(env, ['ingest', '--feed', 'incydr-file-events', '-'], lines);
    expect(stdin.code).toBe(1);
    expect(stdin.stdout).toContain(
      'accepted 1 (duplicates 0, suppressed 0, critical files 1), rejected 1',
    );
    expect(stdin.stdout).toContain('record 1: line 2 is not valid JSON');
  });

  it('lists the registry and finds a file', async () => {
    const list = await run(env, ['files', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(
      `${sha256}  confidential Design doc\n${daveSha256}  restricted   Price list (owner Sales)\n`,
    );
    printed.list = list.stdout;

    const where = await run(env, ['files', 'where', daveSha256]);
    expect(where.code).toBe(0);
    expect(where.stdout).toContain('critical file: Price list (restricted)');
    expect(where.stdout).toMatch(/ Subject [0-9A-Z]{4}-[0-9A-Z]{2} /);
    expect(where.stdout).not.toContain('dave@example.com');
    printed.where = where.stdout;

    const whereJson = await run(env, ['files', 'where', sha256, '--json']);
    expect(whereJson.code).toBe(0);
    expect(JSON.parse(whereJson.stdout).sightings).toEqual([
      expect.objectContaining({
        externalId: 'served-1',
        subject: expect.stringMatching(/^Subject /),
      }),
    ]);
    expect(whereJson.stdout).not.toContain('dana.lee@example.com');
    printed.whereJson = whereJson.stdout;
  });

  it('rejects a bad hash and a bad CSV row', async () => {
    const hash = await run(env, ['files', 'where', 'not-a-hash']);
    expect(hash.code).toBe(2);
    expect(hash.stderr).toBe(
      'casebridge: "not-a-hash" is not a file hash; give a SHA-256 (64 hexadecimal digits) or an MD5 (32). [USAGE_INVALID]\n',
    );

    const csv = path.join(dataDir, 'bad-registry.csv');
    writeFileSync(csv, 'sha256,md5,label,owner,sensitivity\nxyz,,Broken,,internal\n');
    const imported = await run(env, ['files', 'import', csv, '--json']);
    expect(imported.code).toBe(1);
    const error = JSON.parse(imported.stdout).error;
    expect(error.code).toBe('PAYLOAD_INVALID');
    expect(error.message).toContain(
      'Invalid critical file on line 2 (sha256 "xyz": must be 64 hexadecimal digits (SHA-256))',
    );
  });

  it('prints the same once the server has stopped', async () => {
    await served.stop();

    const list = await run(env, ['files', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe(printed.list);
    const where = await run(env, ['files', 'where', daveSha256]);
    expect(where.stdout).toBe(printed.where);
    const whereJson = await run(env, ['files', 'where', sha256, '--json']);
    expect(whereJson.stdout).toBe(printed.whereJson);
  });
});
