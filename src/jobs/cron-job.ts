import { type ScheduledTask, schedule, validate } from 'node-cron';
import { describeError } from '../describe-error.ts';
import type { Logger } from '../log.ts';
import type { LeaderLock } from './leader.ts';

export interface CronJobSpec<T> {
  /** The job's name: its leader lock key and the `job` field of its log lines. */
  name: string;
  /** node-cron expression. */
  cron: string;
  /** IANA time zone the expression is read in; the process's when absent. */
  timeZone?: string;
  run: () => Promise<T>;
}

export interface CronJob<T> {
  /** Runs the job once under its leader lock; null when another replica held the lock. */
  runOnce(): Promise<T | null>;
  start(): void;
  /** Stops the schedule and waits for a run in progress to end. */
  stop(): Promise<void>;
}

/**
 * Schedules a job with node-cron on every replica and runs each tick only on the replica that holds
 * the job's leader lock. A tick never overlaps the previous one in this process, and a failed run is
 * logged and left to the next tick.
 */
export function createCronJob<T>(
  deps: { leader: LeaderLock; logger: Logger },
  spec: CronJobSpec<T>,
): CronJob<T> {
  if (!validate(spec.cron))
    throw new Error(`invalid cron expression for the ${spec.name} job: "${spec.cron}"`);
  const log = deps.logger.child({ job: spec.name });
  let task: ScheduledTask | null = null;
  let inFlight: Promise<unknown> | null = null;

  const runOnce = async (): Promise<T | null> => {
    const started = Date.now();
    const run = await deps.leader.run(spec.name, spec.run);
    if (!run.ran) return null;
    log.info({ result: run.value, durationMs: Date.now() - started }, 'job run finished');
    return run.value;
  };

  const tick = async () => {
    const current = runOnce().catch((error: unknown) => {
      log.error({ err: describeError(error) }, 'job run failed and the next run retries it');
    });
    inFlight = current;
    await current;
    if (inFlight === current) inFlight = null;
  };

  return {
    runOnce,
    start() {
      if (task !== null) return;
      task = schedule(spec.cron, tick, {
        name: spec.name,
        noOverlap: true,
        ...(spec.timeZone === undefined ? {} : { timezone: spec.timeZone }),
      });
      log.info({ cron: spec.cron, timeZone: spec.timeZone ?? 'process' }, 'job scheduled');
    },
    async stop() {
      if (task !== null) {
        await task.destroy();
        task = null;
      }
      await inFlight;
    },
  };
}
