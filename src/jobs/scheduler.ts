import { type ScheduledTask, schedule, validate } from 'node-cron';
import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import { describeError } from '../describe-error.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { Store } from '../store/db.ts';
import { type FireDueTimersResult, fireDueTimers } from './fire-due-timers.ts';
import { createLeaderLock, type LeaderLock } from './leader.ts';

export const FIRE_DUE_TIMERS_JOB = 'fire-due-timers';

export interface SchedulerDeps {
  store: Pick<Store, 'db' | 'kind'>;
  logger: Logger;
  notifier?: CaseNotifier | undefined;
  now?: () => Date;
  /** Cron expression of the timer run; every minute by default. */
  timersCron?: string;
  /** Maximum timers one run handles; the rest wait for the next run. */
  timersBatchLimit?: number;
  /** Shared with other jobs of the process; one is created when absent. */
  leader?: LeaderLock;
  /** The business calendar: reminders outside its working hours wait for the next opening. */
  calendar?: BusinessCalendar;
}

export interface Scheduler {
  /** Runs the timer job once under the leader lock; null when another run held the lock. */
  runTimers(): Promise<FireDueTimersResult | null>;
  start(): void;
  /** Stops the schedule and waits for a run in progress to end. */
  stop(): Promise<void>;
}

/**
 * Creates the cron scheduler of the durable SLA timers. Each tick runs `fireDueTimers` on the
 * replica that holds the job's leader lock. A tick never overlaps the previous one in this process
 * (`noOverlap`), and a failed run is logged and retried by the next tick.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const expression = deps.timersCron ?? '* * * * *';
  const limit = deps.timersBatchLimit ?? 500;
  if (!validate(expression)) {
    throw new Error(`invalid cron expression for the SLA timer job: "${expression}"`);
  }
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`invalid SLA timer batch limit ${limit}; use a positive integer`);
  }
  const leader = deps.leader ?? createLeaderLock(deps);
  const log = deps.logger.child({ job: FIRE_DUE_TIMERS_JOB });
  let task: ScheduledTask | null = null;
  let inFlight: Promise<unknown> | null = null;

  const runTimers = async (): Promise<FireDueTimersResult | null> => {
    const started = Date.now();
    log.debug('job run started');
    const run = await leader.run(FIRE_DUE_TIMERS_JOB, () =>
      fireDueTimers(
        {
          db: deps.store.db,
          logger: log,
          notifier: deps.notifier,
          now: deps.now,
          calendar: deps.calendar,
        },
        { limit },
      ),
    );
    if (!run.ran) return null;

    const counts = run.value;
    const handled =
      counts.fired + counts.cancelled + counts.failed + counts.deferred + counts.postponed;
    // A run that found nothing due logs at debug, so that an idle bot does not log every minute.
    let level: 'warn' | 'info' | 'debug' = 'debug';
    if (counts.failed > 0) level = 'warn';
    else if (handled > 0) level = 'info';
    log[level]({ ...counts, durationMs: Date.now() - started }, 'job run finished');
    return counts;
  };

  const tick = async () => {
    const current = runTimers().catch((error: unknown) => {
      log.error({ err: describeError(error) }, 'job run failed and the next run retries it');
    });
    inFlight = current;
    await current;
    if (inFlight === current) inFlight = null;
  };

  return {
    runTimers,
    start() {
      if (task !== null) return;
      task = schedule(expression, tick, {
        name: FIRE_DUE_TIMERS_JOB,
        noOverlap: true,
        logger: cronLogger(log),
      });
      log.info({ cron: expression, limit }, 'job scheduled');
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

/** Sends node-cron's own messages (overlaps, missed ticks) to pino instead of the console. */
function cronLogger(log: Logger) {
  const write = (level: 'error' | 'debug', message: string | Error) => {
    if (typeof message === 'string') log[level](message);
    else log[level]({ err: describeError(message) }, 'node-cron reported an error');
  };
  return {
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string | Error) => write('error', message),
    debug: (message: string | Error) => write('debug', message),
  };
}
