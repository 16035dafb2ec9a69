import type { IntakeDeps } from '../intake/ingest-feed.ts';
import { type CronJob, createCronJob } from '../jobs/cron-job.ts';
import type { LeaderLock } from '../jobs/leader.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { ingestIncydrPage } from './ingest-incydr-page.ts';
import { createIncydrPuller, type IncydrPuller, type IncydrPullSummary } from './pull-incydr.ts';
import type { IncydrSettings, IncydrStream } from './settings.ts';
import type { PageHandler } from './stream-run.ts';

/** The job's name: its leader lock key, shared by the schedule and `casebridge incydr pull`. */
export const INCYDR_PULL_JOB = 'incydr-pull';

export interface IncydrJobDeps {
  db: Db;
  logger: Logger;
  settings: IncydrSettings;
  env: { INCYDR_CLIENT_ID?: string | undefined; INCYDR_CLIENT_SECRET?: string | undefined };
  intake: IntakeDeps;
}

/**
 * Returns where each stream's pages go: sessions become signals on cases through intake.
 * NOTE: file events take the same path, through the Incydr feed parser, until the file-event
 * volume path (which keeps every event and raises signals only for risky ones) takes them.
 */
export function incydrHandlers(intake: IntakeDeps): Record<IncydrStream, PageHandler> {
  const ingest = ingestIncydrPage(intake);
  return { sessions: ingest, 'file-events': ingest };
}

/** Creates the puller of a serving process or of `casebridge incydr pull`. */
export function createIncydrPullerFromConfig(deps: IncydrJobDeps): IncydrPuller {
  return createIncydrPuller({
    db: deps.db,
    logger: deps.logger,
    settings: deps.settings,
    env: deps.env,
    handlers: incydrHandlers(deps.intake),
  });
}

/** Schedules the pull on `pollEvery`; each tick runs on the replica that holds the job's lock. */
export function createIncydrJob(
  deps: IncydrJobDeps & { leader: LeaderLock },
): CronJob<IncydrPullSummary> {
  const puller = createIncydrPullerFromConfig(deps);
  return createCronJob(
    { leader: deps.leader, logger: deps.logger },
    { name: INCYDR_PULL_JOB, cron: deps.settings.pollEvery, run: () => puller.pull() },
  );
}
