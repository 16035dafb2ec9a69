import { createFileIngest, type FileIngestDeps } from '../files/ingest-file-events.ts';
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
  /** The file-event volume path; without it, file events go through alert intake. */
  fileEvents?: FileIngestDeps | undefined;
}

/**
 * Returns where each stream's pages go: sessions become signals on cases through intake, and file
 * events take the volume path, which keeps every event and opens cases only for risky activity.
 */
export function incydrHandlers(
  intake: IntakeDeps,
  fileEvents?: FileIngestDeps,
): Record<IncydrStream, PageHandler> {
  const ingest = ingestIncydrPage(intake);
  if (fileEvents === undefined) return { sessions: ingest, 'file-events': ingest };
  // One ingest for every page, so that a page does not reload the registry and the caches.
  const files = createFileIngest(fileEvents);
  return {
    sessions: ingest,
    'file-events': async (page) => {
      const summary = await files.ingest(page.records);
      return {
        accepted: summary.accepted,
        suppressed: summary.suppressed,
        matchedCritical: summary.matchedCritical,
        duplicates: summary.duplicates,
        rejected: summary.rejectedCount,
        casesOpened: summary.casesOpened,
        casesUpdated: summary.casesUpdated,
      };
    },
  };
}

/** Creates the puller of a serving process or of `casebridge incydr pull`. */
export function createIncydrPullerFromConfig(deps: IncydrJobDeps): IncydrPuller {
  return createIncydrPuller({
    db: deps.db,
    logger: deps.logger,
    settings: deps.settings,
    env: deps.env,
    handlers: incydrHandlers(deps.intake, deps.fileEvents),
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
