import type { FileConfig } from '../config.ts';
import { type CronJob, createCronJob } from '../jobs/cron-job.ts';
import type { LeaderLock } from '../jobs/leader.ts';
import type { Logger } from '../log.ts';
import type { DataProtectionService } from './data-protection-service.ts';

export const RETENTION_JOB = 'retention';

/**
 * Creates the daily retention run under the shared leader lock, at `retention.schedule` in the policy's
 * time zone; null when the configuration has no retention block.
 */
export function retentionJob(
  deps: { leader: LeaderLock; logger: Logger; service: DataProtectionService },
  config: Pick<FileConfig, 'retention' | 'policy'>,
): CronJob<unknown> | null {
  if (config.retention === undefined) return null;
  return createCronJob(
    { leader: deps.leader, logger: deps.logger },
    {
      name: RETENTION_JOB,
      cron: config.retention.schedule,
      timeZone: config.policy.timeZone,
      run: async () => {
        const result = await deps.service.runRetention();
        // The log line carries counts only: case keys and rules stay in the audit trail.
        return {
          anonymised: result.anonymised.length,
          held: result.held.length,
          skipped: result.skipped.length,
          failed: result.failed.length,
          rawSignalsDeleted: result.rawSignalsDeleted,
        };
      },
    },
  );
}
