import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createHrSyncJob } from '../../src/jobs/hr-sync.ts';
import { createLeaderLock } from '../../src/jobs/leader.ts';
import { createLogger } from '../../src/log.ts';
import { people } from '../../src/store/schema.ts';
import { describeStores } from '../support/stores.ts';

function configFolder(yaml: string, csv?: string) {
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-hr-sync-'));
  writeFileSync(path.join(folder, 'casebridge.yaml'), yaml);
  if (csv !== undefined) writeFileSync(path.join(folder, 'people.csv'), csv);
  return loadConfig({ CASEBRIDGE_CONFIG: path.join(folder, 'casebridge.yaml') }, folder);
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  });
  return { logger, lines, text: () => raw.join('') };
}

describe('hrSync configuration', () => {
  it('rejects an invalid cron expression', () => {
    expect(() => configFolder("hrSync: { file: people.csv, schedule: 'every night' }\n")).toThrow(
      /every night is not a cron expression/,
    );
  });

  it('is optional', () => {
    expect(configFolder('policy: { timeZone: UTC }\n').file.hrSync).toBeUndefined();
  });
});

describeStores('hr sync job', (current) => {
  it('imports the file and logs rejected rows', async () => {
    const config = configFolder(
      "hrSync: { file: people.csv, schedule: '15 2 * * *' }\n",
      'email,name,country\nhana@example.com,Hana,JP\nivan@example.com,Ivan,QQ\n',
    );
    const { logger, lines, text } = capturingLogger();
    const leader = createLeaderLock({ store: current().store, logger });
    const job = createHrSyncJob({ db: current().store.db, logger, leader }, config);

    const summary = await job?.runOnce();

    expect(summary).toMatchObject({ rows: 2, added: 1, rejected: 1 });
    const [hana] = await current()
      .store.db.select()
      .from(people)
      .where(eq(people.email, 'hana@example.com'));
    expect(hana?.country).toBe('JP');
    const rejected = lines.find((line) => line.msg === 'hr sync rejected a row');
    expect(rejected).toMatchObject({ job: 'hr-sync', line: 3 });
    expect(rejected?.reason).toContain('country "…"');
    expect(lines.some((line) => line.msg === 'hr sync started')).toBe(true);
    expect(lines.find((line) => line.msg === 'job run finished')?.durationMs).toBeTypeOf('number');
    expect(text()).not.toContain('example.com');
    expect(text()).not.toContain('QQ');
  });

  it('fails a run when the file is missing', async () => {
    const config = configFolder("hrSync: { file: missing.csv, schedule: '15 2 * * *' }\n");
    const { logger } = capturingLogger();
    const leader = createLeaderLock({ store: current().store, logger });
    const job = createHrSyncJob({ db: current().store.db, logger, leader }, config);

    await expect(job?.runOnce()).rejects.toThrow(/missing\.csv .* was not found/);
  });
});
