import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PostgreSQL 15 binaries of the Debian and Ubuntu packages. */
export const postgresBin = process.env.FAULTS_POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin';
export const clusterAvailable = existsSync(path.join(postgresBin, 'initdb'));

/** A throw-away PostgreSQL cluster on a free port of 127.0.0.1, for tests that stop the server. */
export interface PgCluster {
  /** Connection string of the `postgres` database as the `postgres` user (trust authentication). */
  url: string;
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * initdb refuses to run as root, so as root every server command runs as the `postgres` OS user
 * on a folder that user owns.
 */
function asServerUser(command: string, args: string[]) {
  const binary = path.join(postgresBin, command);
  if (process.getuid?.() === 0) return run('runuser', ['-u', 'postgres', '--', binary, ...args]);
  return run(binary, args);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port found');
  return address.port;
}

/** Runs initdb into a new temporary folder and starts the server with durability turned off. */
export async function startPgCluster(): Promise<PgCluster> {
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(folder, Number(stdout.trim()), Number(group.trim()));
  }
  const dataDir = path.join(folder, 'data');
  const port = await freePort();
  await asServerUser('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync']);

  const options = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-k ${folder}`,
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ');
  const start = () =>
    asServerUser('pg_ctl', [
      '-D',
      dataDir,
      '-o',
      options,
      '-l',
      path.join(folder, 'server.log'),
      '-w',
      'start',
    ]).then(() => {});
  const stop = (mode: 'fast' | 'immediate' = 'fast') =>
    asServerUser('pg_ctl', ['-D', dataDir, '-m', mode, '-w', 'stop']).then(() => {});

  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      await stop('immediate').catch(() => {});
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
