import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { databaseUrlFor } from './global-setup.ts';

export type Backend = 'pglite' | 'postgres';

/** The backends this run tests: PGlite always, the real server when TEST_DATABASE_URL is set. */
export function testBackends(): Backend[] {
  return inject('postgresTemplate') === null ? ['pglite'] : ['pglite', 'postgres'];
}

export interface StoreHandle {
  store: Store;
  /** A connection string to this test's database; only on the real server. */
  databaseUrl: string | null;
}

/** Opens a fresh, migrated database on a backend: a PGlite copy or a PostgreSQL database from the template. */
export async function openTestStore(
  backend: Backend,
): Promise<StoreHandle & { drop(): Promise<void> }> {
  if (backend === 'pglite') {
    const image = new Blob([readFileSync(inject('pgliteImagePath'))]);
    const store = await openStore({ dataDir: 'memory://', loadDataDir: image });
    return { store, databaseUrl: null, drop: () => store.close() };
  }

  const serverUrl = process.env.TEST_DATABASE_URL;
  const template = inject('postgresTemplate');
  if (serverUrl === undefined || template === null) throw new Error('TEST_DATABASE_URL is not set');
  const database = `casebridge_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database} template ${template}`);
  const databaseUrl = databaseUrlFor(serverUrl, database);
  const store = await openStore({ databaseUrl });

  return {
    store,
    databaseUrl,
    async drop() {
      await store.close();
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    },
  };
}

/**
 * Declares a suite once per backend. `body` receives a getter for the suite's store, which is
 * opened before the suite's tests and dropped after them.
 */
export function describeStores(
  name: string,
  body: (current: () => StoreHandle, backend: Backend) => void,
): void {
  for (const backend of testBackends()) {
    describe(`${name} [${backend}]`, () => {
      let handle: (StoreHandle & { drop(): Promise<void> }) | undefined;
      beforeAll(async () => {
        handle = await openTestStore(backend);
      });
      afterAll(async () => {
        await handle?.drop();
      });
      body(() => {
        if (handle === undefined) throw new Error('store is not open yet');
        return handle;
      }, backend);
    });
  }
}
