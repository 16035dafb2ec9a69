import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { importPeopleCsv } from '../people/csv-import.ts';
import type { Db } from '../store/db.ts';
import { type CronJob, createCronJob } from './cron-job.ts';
import type { LeaderLock } from './leader.ts';

export const HR_SYNC_JOB = 'hr-sync';

/** Rejected rows logged one by one per run; the rest are counted. */
const LOGGED_REJECTIONS = 100;

export interface HrSyncSummary {
  rows: number;
  added: number;
  changed: number;
  deactivated: number;
  unchanged: number;
  missing: number;
  rejected: number;
}

/**
 * Imports the HR export once and logs each rejected row by line number. The reasons lose their
 * quoted values, because those are HR data.
 */
export async function runHrSync(
  deps: { db: Db; logger: Logger },
  spec: { file: string; deactivateMissing: boolean },
): Promise<HrSyncSummary> {
  const log = deps.logger.child({ job: HR_SYNC_JOB });
  if (!existsSync(spec.file)) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `HR export ${spec.file} (hrSync.file in the configuration) was not found. Check the path and that the export ran.`,
    );
  }
  log.info({ file: spec.file }, 'hr sync started');

  const report = await importPeopleCsv(deps.db, createReadStream(spec.file), {
    dryRun: false,
    deactivateMissing: spec.deactivateMissing,
    source: spec.file,
  });

  for (const row of report.rejected.slice(0, LOGGED_REJECTIONS)) {
    log.warn(
      { line: row.line, reason: row.reason.replace(/"[^"]*"/g, '"…"') },
      'hr sync rejected a row',
    );
  }
  if (report.rejected.length > LOGGED_REJECTIONS) {
    log.warn(
      { notLogged: report.rejected.length - LOGGED_REJECTIONS },
      'hr sync rejected more rows',
    );
  }
  return {
    rows: report.rows,
    added: report.added.length,
    changed: report.changed.length,
    deactivated: report.deactivated.length,
    unchanged: report.unchanged,
    missing: report.missing,
    rejected: report.rejected.length,
  };
}

/**
 * Builds the scheduled HR sync of the configuration, or null when `hrSync` is not configured. It
 * runs under the job's leader lock, so one replica imports per tick.
 */
export function createHrSyncJob(
  deps: { db: Db; logger: Logger; leader: LeaderLock },
  config: Config,
): CronJob<HrSyncSummary> | null {
  const hrSync = config.file.hrSync;
  if (hrSync === undefined) return null;
  const file = path.resolve(path.dirname(config.configPath ?? '.'), hrSync.file);
  return createCronJob(deps, {
    name: HR_SYNC_JOB,
    cron: hrSync.schedule,
    timeZone: config.file.policy.timeZone,
    run: () => runHrSync(deps, { file, deactivateMissing: hrSync.deactivateMissing }),
  });
}
