import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openStore } from '../../src/store/db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteImagePath: string;
    postgresTemplate: string | null;
  }
}

/**
 * Migrates one PGlite database and one PostgreSQL template database per test run; each test file
 * starts from a copy of them, because a fresh PGlite runs initdb for seconds.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-test-'));
  const pglite = await openStore({ dataDir: 'memory://' });
  await pglite.migrate();
  const image = await pglite.dumpDataDir!();
  const imagePath = path.join(folder, 'template.tar.gz');
  writeFileSync(imagePath, Buffer.from(await image.arrayBuffer()));
  await pglite.close();
  project.provide('pgliteImagePath', imagePath);

  const serverUrl = process.env.TEST_DATABASE_URL;
  let template: string | null = null;
  if (serverUrl !== undefined && serverUrl !== '') {
    template = `casebridge_template_${process.pid}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${template}`);
    await admin.unsafe(`create database ${template}`);
    const store = await openStore({ databaseUrl: databaseUrlFor(serverUrl, template) });
    await store.migrate();
    await store.close();
    await admin.end();
  }
  project.provide('postgresTemplate', template);

  return async () => {
    rmSync(folder, { recursive: true, force: true });
    if (serverUrl !== undefined && template !== null) {
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists ${template} with (force)`);
      await admin.end();
    }
  };
}

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
