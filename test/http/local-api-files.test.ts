import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { advancePseudonymGeneration } from '../../src/cases/pseudonym.ts';
import { showCase } from '../../src/cases/show-case.ts';
import {
  runFileEventIngest,
  runFilesAdd,
  runFilesImport,
  runFilesList,
  runFilesWhere,
} from '../../src/cli/files-commands.ts';
import { createOutput, type Output, reportError } from '../../src/cli/output.ts';
import { loadConfig } from '../../src/config.ts';
import { createFileIngestDeps } from '../../src/files/file-ingest-deps.ts';
import {
  type FilesService,
  localFilesService,
  remoteFilesService,
} from '../../src/files/files-service.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { buildServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/db.ts';
import {
  auditEvents,
  cases,
  identityReveals,
  roleGrants,
  settings,
} from '../../src/store/schema.ts';
import { criticalFiles, fileEvents } from '../../src/store/schema-files.ts';
import { examplesConfigPath } from '../support/builders.ts';
import { makeFileEventRecord, saasFileEventsPage } from '../support/file-events.ts';
import { describeStores, openTestStore } from '../support/stores.ts';
import { fakeIngestFeed } from './start-server.ts';

const saasPage = saasFileEventsPage;
/** The file Dave sends to his personal Gmail in the SaaS page. */
const daveSha256 = '73620a0a8554a56e93b90fe2c8a3f732be881a7da930603a5c6e4c9207fee2d5';
const designSha256 = 'ab'.repeat(32);
/** One pseudonym key for both databases, so that both derive the same pseudonyms. */
const sharedPseudonymKey = Buffer.alloc(32, 7).toString('base64');
const hrOfficer = 'hana.hr@example.com';
const analyst = 'ann.analyst@example.com';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command the way the CLI does, printing to buffers, and returns its exit code and output. */
async function capture(run: (out: Output) => Promise<number>, json: boolean): Promise<CliRun> {
  const result: CliRun = { code: 0, stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        result[key] += String(chunk);
        done();
      },
    });
  const streams = { stdout: sink('stdout'), stderr: sink('stderr') };
  try {
    result.code = await run(createOutput(json, streams.stdout));
  } catch (error) {
    result.code = reportError(error, json, streams);
  }
  return result;
}

/** Replaces what differs between two databases by design: row ids and storage times. */
function withoutIdentity(text: string): string {
  return text
    .replace(/"id": "[0-9a-f-]{36}"/g, '"id": "<id>"')
    .replace(/"(createdAt|updatedAt)": "[^"]+"/g, '"$1": "<time>"');
}

describeStores('local API for files', (current, backend) => {
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-files-api-'));
  const config = loadConfig({ CASEBRIDGE_CONFIG: examplesConfigPath }, folder);
  const logger = createLogger({ level: 'silent' });
  let app: FastifyInstance;
  let localStore: Store;
  let dropLocal = async () => {};
  let local: FilesService;
  let remote: FilesService;

  const filesService = (store: Store) => {
    const deps = { config, logger, store, close: async () => {} };
    return localFilesService({ db: store.db, fileIngest: () => createFileIngestDeps(deps) });
  };

  beforeAll(async () => {
    const served = current().store;
    app = await buildServer({
      config,
      store: served,
      logger,
      metrics: createMetrics(),
      ingestFeed: fakeIngestFeed().ingestFeed,
      files: filesService(served),
    });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    remote = remoteFilesService({ url, token: undefined });

    const handle = await openTestStore(backend);
    localStore = handle.store;
    dropLocal = () => handle.drop();
    local = filesService(localStore);

    for (const store of [served, localStore]) {
      await store.db.insert(settings).values({ key: 'pseudonym_key', value: sharedPseudonymKey });
      await store.db.insert(roleGrants).values([
        { email: hrOfficer, role: 'hr' },
        { email: analyst, role: 'security' },
      ]);
    }
  });
  afterAll(async () => {
    await app.close();
    await dropLocal();
    rmSync(folder, { recursive: true, force: true });
  });

  /**
   * Runs a command on the local database and through the server, first in text and then in JSON,
   * and expects the same exit code and output. Returns the remote runs.
   */
  const expectSameBothWays = async (
    command: (service: FilesService, out: Output) => Promise<number>,
  ): Promise<{ text: CliRun; json: CliRun }> => {
    const runs: CliRun[] = [];
    for (const json of [false, true]) {
      const localRun = await capture((out) => command(local, out), json);
      const remoteRun = await capture((out) => command(remote, out), json);
      expect(remoteRun.code).toBe(localRun.code);
      expect(withoutIdentity(remoteRun.stdout)).toBe(withoutIdentity(localRun.stdout));
      expect(remoteRun.stderr).toBe(localRun.stderr);
      runs.push(remoteRun);
    }
    return { text: runs[0]!, json: runs[1]! };
  };

  it('files add matches local', async () => {
    const { json: run } = await expectSameBothWays((service, out) =>
      runFilesAdd(service, out, {
        sha256: designSha256.toUpperCase(),
        label: 'Design doc',
        owner: 'R&D',
        sensitivity: 'confidential',
        md5: undefined,
      }),
    );

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      sha256: designSha256,
      md5: null,
      label: 'Design doc',
      sensitivity: 'confidential',
    });
  });

  it('files import matches local', async () => {
    const csv = path.join(folder, 'registry.csv');
    writeFileSync(
      csv,
      `sha256,md5,label,owner,sensitivity\n${daveSha256},,Price list,Sales,restricted\n,${'ef'.repeat(16)},Old deck,,internal\n`,
    );

    const { text, json } = await expectSameBothWays((service, out) =>
      runFilesImport(service, out, csv),
    );

    expect(text.code).toBe(0);
    expect(text.stdout).toBe('Imported 2 registry entries: 2 added, 0 updated.\n');
    // The text run came first, so this run finds both entries stored.
    expect(JSON.parse(json.stdout)).toEqual({ imported: 2, added: 0, updated: 2 });
  });

  it('ingest of a page matches local', async () => {
    const { text, json } = await expectSameBothWays((service, out) =>
      runFileEventIngest(service, out, saasPage),
    );

    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      'accepted 2 (duplicates 0, suppressed 0, critical files 1), rejected 0\n' +
        'cases opened 1, updated 0, held back by the throttle 0\n',
    );
    // The text run came first, so this run finds both events stored.
    expect(JSON.parse(json.stdout)).toMatchObject({ accepted: 2, duplicates: 2, rejected: [] });
  });

  it('ingest of NDJSON with a broken line matches local', async () => {
    const events = Array.from({ length: 2_500 }, (_, index) =>
      JSON.stringify(
        makeFileEventRecord({
          id: `stream-${index}`,
          time: `2026-02-0${1 + (index % 3)}T08:00:00Z`,
          email: `user${index % 7}@example.com`,
          sha256: index === 0 ? designSha256 : null,
        }),
      ),
    );
    events.splice(1_200, 0, '{"broken": ');
    const text = `${events.join('\n')}\n`;

    const { json: run } = await expectSameBothWays((service, out) =>
      runFileEventIngest(service, out, '-', Readable.from([text])),
    );

    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ accepted: 2_500, duplicates: 2_500 });
    expect(summary.rejected).toEqual([
      { index: 1_200, reason: expect.stringContaining('line 1201 is not valid JSON') },
    ]);
  });

  it('stores the events remotely as locally', async () => {
    const count = async (store: Store) => (await store.db.select().from(fileEvents)).length;

    expect(await count(current().store)).toBe(2_502);
    expect(await count(localStore)).toBe(2_502);
  });

  it('files list matches local', async () => {
    const { json: run } = await expectSameBothWays((service, out) => runFilesList(service, out));

    expect(JSON.parse(run.stdout).map((row: { label: string }) => row.label)).toEqual([
      'Design doc',
      'Old deck',
      'Price list',
    ]);
  });

  /** Returns the case of Dave, whom the SaaS page's critical file opened a case for. */
  const daveCase = async (store: Store) => {
    const [row] = await store.db
      .select()
      .from(cases)
      .where(eq(cases.subjectEmail, 'dave@example.com'));
    return row!;
  };

  it('files where matches local', async () => {
    const { text, json } = await expectSameBothWays((service, out) =>
      runFilesWhere(service, out, daveSha256),
    );

    expect(json.code).toBe(0);
    const found = JSON.parse(json.stdout);
    expect(found.critical).toMatchObject({ label: 'Price list', sensitivity: 'restricted' });
    expect(found.sightings).toEqual([
      expect.objectContaining({ kind: 'file-event', subject: expect.stringMatching(/^Subject /) }),
    ]);
    expect(text.stdout).toContain(found.sightings[0].subject);
  });

  it('files where hides the address', async () => {
    const { text, json } = await expectSameBothWays((service, out) =>
      runFilesWhere(service, out, daveSha256),
    );

    for (const run of [text, json]) {
      expect(run.stdout).not.toContain('dave@example.com');
      expect(run.stdout).not.toMatch(/dave/i);
    }
    const [sighting] = JSON.parse(json.stdout).sightings;
    expect(sighting).not.toHaveProperty('user');
    expect(sighting).not.toHaveProperty('subjectKey');
  });

  it('files where shows the case pseudonym', async () => {
    const whereSubject = async () => {
      const { json } = await expectSameBothWays((service, out) =>
        runFilesWhere(service, out, daveSha256),
      );
      return JSON.parse(json.stdout).sightings[0].subject as string;
    };
    const daveCaseRow = await daveCase(current().store);
    const before = await whereSubject();
    expect(before).toBe((await showCase(current().store.db, daveCaseRow.key)).subject.pseudonym);

    // An ended reveal moves the subject to the next generation, and so to a new pseudonym.
    for (const store of [current().store, localStore]) {
      const row = await daveCase(store);
      await store.db.transaction((tx) =>
        advancePseudonymGeneration(tx, row.subjectKey, new Date()),
      );
    }
    const after = await whereSubject();
    expect(after).not.toBe(before);
    expect(after).toBe((await showCase(current().store.db, daveCaseRow.key)).subject.pseudonym);
  });

  /** Returns the IDENTITY_VIEWED events of Dave's case in the server's database. */
  const identityViews = async () => {
    const row = await daveCase(current().store);
    return current()
      .store.db.select()
      .from(auditEvents)
      .where(and(eq(auditEvents.stream, row.id), eq(auditEvents.type, 'IDENTITY_VIEWED')))
      .orderBy(asc(auditEvents.seq));
  };

  it('files where reveals for HR', async () => {
    const access = { as: hrOfficer, reason: 'Meeting prep' };
    const { text, json } = await expectSameBothWays((service, out) =>
      runFilesWhere(service, out, daveSha256, access),
    );

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/dave@example\.com \(pseudonym Subject [0-9A-Z]{4}-[0-9A-Z]{2}\)/);
    const [sighting] = JSON.parse(json.stdout).sightings;
    expect(sighting.identity).toEqual({ user: 'dave@example.com', name: null });
    // One view per run through the server: the text run and the JSON run.
    const views = await identityViews();
    expect(views).toHaveLength(2);
    expect(views[0]).toMatchObject({
      actor: hrOfficer,
      actorRole: 'hr',
      reason: 'Meeting prep',
      data: { via: 'cli', command: 'files where', hash: daveSha256 },
    });
  });

  it('files where reveal rejects security', async () => {
    const access = { as: analyst, reason: 'Curious' };
    const { text, json } = await expectSameBothWays((service, out) =>
      runFilesWhere(service, out, daveSha256, access),
    );

    expect(JSON.parse(json.stdout).error.code).toBe('NOT_AUTHORIZED');
    expect(text.stderr).toContain('may not see the identities');
    expect(text.stdout).not.toContain('dave@example.com');
    expect(await identityViews()).toHaveLength(2);
  });

  it('files where reveals during a reveal', async () => {
    for (const store of [current().store, localStore]) {
      const row = await daveCase(store);
      await store.db.insert(identityReveals).values({
        caseId: row.id,
        subjectKey: row.subjectKey,
        status: 'approved',
        requestedBy: analyst,
        reason: 'Match badge log',
        requestedAt: new Date(),
        decidedBy: hrOfficer,
        decidedAt: new Date(),
        expiresAt: new Date(Date.now() + 3_600_000),
      });
    }
    const access = { as: analyst, reason: 'Match badge log' };

    const { json } = await expectSameBothWays((service, out) =>
      runFilesWhere(service, out, daveSha256, access),
    );

    expect(JSON.parse(json.stdout).sightings[0].identity.user).toBe('dave@example.com');
    const views = await identityViews();
    expect(views).toHaveLength(4);
    expect(views[3]).toMatchObject({ actor: analyst, actorRole: 'security' });
  });

  it('files where reveal needs a person', async () => {
    const access = { as: 'nobody@example.com', reason: 'Curious' };
    const { json } = await expectSameBothWays((service, out) =>
      runFilesWhere(service, out, daveSha256, access),
    );

    expect(JSON.parse(json.stdout).error.code).toBe('NOT_AUTHORIZED');
    expect(json.stdout).not.toContain('dave@example.com');
  });

  it('rejects a bad hash as locally', async () => {
    const { json: run } = await expectSameBothWays((service, out) =>
      runFilesWhere(service, out, 'not-a-hash'),
    );

    expect(run.code).toBe(2);
    const error = JSON.parse(run.stdout).error;
    expect(error.code).toBe('USAGE_INVALID');
    expect(error.message).toContain('"not-a-hash" is not a file hash');
  });

  it('rejects a bad CSV row as locally', async () => {
    const csv = path.join(folder, 'bad-registry.csv');
    writeFileSync(
      csv,
      `sha256,md5,label,owner,sensitivity\n${'12'.repeat(32)},,Fine,,internal\nxyz,,Broken,,secret\n`,
    );

    const { json: run } = await expectSameBothWays((service, out) =>
      runFilesImport(service, out, csv),
    );

    expect(run.code).toBe(1);
    const error = JSON.parse(run.stdout).error;
    expect(error.code).toBe('PAYLOAD_INVALID');
    expect(error.message).toContain('Invalid critical file on line 3');
    const stored = await current().store.db.select().from(criticalFiles);
    expect(stored.map((row) => row.label)).not.toContain('Fine');
  });

  it('rejects other addresses without the token', async () => {
    const reply = await app.inject({
      method: 'POST',
      url: '/api/files/events',
      remoteAddress: '10.1.2.3',
      headers: { 'content-type': 'application/x-ndjson' },
      payload: JSON.stringify(
        makeFileEventRecord({
          id: 'outsider',
          time: '2026-02-01T08:00:00Z',
          email: 'x@example.com',
        }),
      ),
    });

    expect(reply.statusCode).toBe(401);
    expect(reply.json().error.code).toBe('UNAUTHENTICATED');
    const stored = await current().store.db.select().from(fileEvents);
    expect(stored.some((row) => row.eventId === 'outsider')).toBe(false);
  });

  it('reports a server that does not respond', async () => {
    const unreachable = remoteFilesService({ url: 'http://127.0.0.1:9', token: undefined });

    await expect(unreachable.list()).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
  });
});
