import { readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/builders.ts';
import {
  type BotProcess,
  createFaultDatabase,
  errorLines,
  type FaultDatabase,
  serverUrl,
  startBot,
  writeFaultConfig,
} from './support/processes.ts';

const journal = JSON.parse(
  readFileSync(path.join(repoRoot, 'migrations', 'meta', '_journal.json'), 'utf8'),
) as { entries: Array<{ tag: string }> };

describe.skipIf(serverUrl === '')('two replicas starting on an empty database', () => {
  let database: FaultDatabase;
  let config: ReturnType<typeof writeFaultConfig>;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    database = await createFaultDatabase();
    config = writeFaultConfig();
  });

  afterAll(async () => {
    for (const bot of bots) await bot.stop();
    await database?.drop();
    config?.remove();
  });

  it('applies each migration once', { timeout: 90_000 }, async () => {
    const env = { DATABASE_URL: database.url, CASEBRIDGE_CONFIG: config.configPath };
    const started = await Promise.allSettled([startBot(env), startBot(env)]);
    for (const result of started) {
      if (result.status === 'fulfilled') bots.push(result.value);
    }
    for (const result of started) {
      expect(result.status === 'rejected' ? String(result.reason) : 'served').toBe('served');
    }

    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations`;
      expect(rows).toHaveLength(journal.entries.length);
      expect(new Set(rows.map((row) => row.hash)).size).toBe(journal.entries.length);
    } finally {
      await sql.end();
    }

    for (const bot of bots) {
      expect(errorLines(bot.stderr())).toEqual([]);
      const ready = await fetch(`${bot.url}/readyz`);
      expect(ready.status).toBe(200);
    }
  });
});
