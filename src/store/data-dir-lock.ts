import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { CasebridgeError } from '../errors.ts';

export interface DataDirLock {
  /** Records the URL of the server this process runs, so that other commands can find it. */
  setServerUrl(url: string): void;
  release(): void;
}

export interface LockOwner {
  pid: number;
  serverUrl: string | null;
}

const LOCK_FILE = 'casebridge.lock';

/** Reads the lock of a data directory; null when no live process holds it. */
export function readDataDirLock(dataDir: string): LockOwner | null {
  let owner: LockOwner;
  try {
    owner = JSON.parse(readFileSync(path.join(dataDir, LOCK_FILE), 'utf8')) as LockOwner;
  } catch {
    return null;
  }
  return isAlive(owner.pid) && owner.pid !== process.pid ? owner : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock of an embedded database directory. PGlite serves one process at a time, and two
 * processes on one directory corrupt it, so a second process is refused with the owner's pid. A
 * lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  const owner = readDataDirLock(dataDir);
  if (owner !== null) {
    throw new CasebridgeError(
      'DATABASE_UNAVAILABLE',
      `The embedded database in ${dataDir} is in use by another Casebridge process (pid ${owner.pid}). Stop that process, or set DATABASE_URL so that several processes share one PostgreSQL server.`,
      { details: { pid: owner.pid } },
    );
  }

  const write = (serverUrl: string | null) => {
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, JSON.stringify({ pid: process.pid, serverUrl } satisfies LockOwner));
    } finally {
      closeSync(fd);
    }
  };
  write(null);

  return {
    setServerUrl: (url) => write(url),
    release: () => rmSync(file, { force: true }),
  };
}
