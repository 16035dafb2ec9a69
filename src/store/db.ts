import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { CasebridgeError, isCasebridgeError } from '../errors.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import * as schema from './schema.ts';

export { schema };

/** One type for both drivers, so repositories and use cases run unchanged on each. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; the same query builder as `Db`. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Either the database or an open transaction. */
export type Executor = Db | Tx;

export interface Store {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Runs the migrations in `migrations/`; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Checks that the database answers; throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: records the URL of this process's server beside the data directory's lock. */
  setServerUrl?: (url: string) => void;
  /** PGlite only: an image of the data directory, which `loadDataDir` can start from. */
  dumpDataDir?: () => Promise<Blob>;
}

export const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** Arbitrary constant that identifies the migration lock among PostgreSQL advisory locks. */
const MIGRATION_LOCK_KEY = 7_201_001;

export interface StoreOptions {
  /** postgres.js connection string; embedded PGlite is used when it is absent. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; ignored with a database URL. `memory://` keeps it in memory. */
  dataDir?: string;
  /** A PGlite data directory image (`dumpDataDir()`) to start from; for tests. */
  loadDataDir?: Blob | File;
  /** postgres.js pool size. */
  maxConnections?: number;
}

/** Opens the store: postgres.js when a database URL is given, embedded PGlite otherwise. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl !== undefined) {
    return openPostgresStore(options.databaseUrl, options.maxConnections ?? 10);
  }
  return openPgliteStore(options.dataDir ?? './.casebridge', options.loadDataDir);
}

function openPostgresStore(databaseUrl: string, maxConnections: number): Store {
  const client = postgres(databaseUrl, {
    max: maxConnections,
    onnotice: () => {},
    // Dates travel as `timestamptz`; keep postgres.js from guessing types of untyped parameters.
    prepare: true,
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;

  return {
    db,
    kind: 'postgres',
    async migrate() {
      // The drizzle migrator takes no lock, and two processes migrating an empty database race on
      // CREATE SCHEMA; one dedicated connection holds an advisory lock for the whole run.
      const lockClient = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      try {
        await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
        await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder });
        await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
      } finally {
        await lockClient.end({ timeout: 5 });
      }
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

async function openPgliteStore(dataDir: string, loadDataDir?: Blob | File): Promise<Store> {
  const inMemory = dataDir.startsWith('memory://');
  let location = dataDir;
  let lock: DataDirLock | null = null;
  if (!inMemory) {
    location = path.resolve(dataDir, 'pglite');
    mkdirSync(location, { recursive: true });
    lock = lockDataDir(path.resolve(dataDir));
  }
  let client: PGlite;
  try {
    client = await PGlite.create(
      loadDataDir === undefined ? { dataDir: location } : { dataDir: location, loadDataDir },
    );
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;

  return {
    db,
    kind: 'pglite',
    async migrate() {
      await migratePglite(drizzlePglite(client), { migrationsFolder });
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.close();
      lock?.release();
    },
    setServerUrl(url) {
      lock?.setServerUrl(url);
    },
    async dumpDataDir() {
      return client.dumpDataDir('gzip');
    },
  };
}

/** Returns the SQLSTATE of a driver error, which drizzle wraps in `cause`. */
export function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

/** SQLSTATE classes and Node error codes that mean the server is unreachable or going away. */
const connectionFailure = /^(08|57P0[1-3]|53300)/;
const connectionErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'CONNECTION_DESTROYED',
]);

/** Tells whether an error means the database could not be reached, as opposed to a failed query. */
export function isConnectionError(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined && connectionFailure.test(state)) return true;
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && connectionErrorCodes.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Turns a connection failure into DATABASE_UNAVAILABLE, which callers may retry, and returns any
 * other error unchanged. The driver's message is not kept: it can contain query parameters.
 */
export function asDatabaseUnavailable(error: unknown): unknown {
  if (isCasebridgeError(error) || !isConnectionError(error)) return error;
  return new CasebridgeError(
    'DATABASE_UNAVAILABLE',
    'The database could not be reached; try again.',
    {
      cause: error,
    },
  );
}

/** Returns the rows of an `execute` result, which PGlite returns as `{ rows }` and postgres.js as an array. */
export function resultRows<Row>(result: unknown): Row[] {
  const rows = Array.isArray(result) ? result : (result as { rows?: unknown[] }).rows;
  return (rows ?? []) as Row[];
}
