import { createBusinessCalendar } from '../workflows/business-calendar.ts';
import { type ActOnCaseInput, actOnCase } from './cases/act-on-case.ts';
import { type CaseService, localCaseService } from './cases/case-service.ts';
import { loadPseudonymKey } from './cases/pseudonym.ts';
import { type ConsoleChat, consoleRouted, createConsoleChat } from './chat/console/console-chat.ts';
import { loadCaseView } from './chat/load-case-view.ts';
import type { ChatPlatform } from './chat/port.ts';
import { createSlackApp, type SlackApp } from './chat/slack/app.ts';
import { createTeamsApp, type TeamsApp } from './chat/teams/app.ts';
import { channelLocale, type FeedName } from './config.ts';
import { dropFileEventPartitionsBefore } from './files/file-event-partitions.ts';
import { createFileIngestDeps } from './files/file-ingest-deps.ts';
import { type FilesService, localFilesService } from './files/files-service.ts';
import type { FileIngestDeps } from './files/ingest-file-events.ts';
import { assertConsoleExposure } from './http/console-access.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { createIncydrJob } from './incydr/incydr-job.ts';
import type { IntakeDeps } from './intake/ingest-feed.ts';
import { type CronJob, createCronJob } from './jobs/cron-job.ts';
import { DAILY_DIGEST_JOB, sendDailyDigests } from './jobs/daily-digest.ts';
import { createHrSyncJob } from './jobs/hr-sync.ts';
import { createLeaderLock } from './jobs/leader.ts';
import { purgeReceipts } from './jobs/purge-receipts.ts';
import { createScheduler, type Scheduler } from './jobs/scheduler.ts';
import { runWatchlistJob, WATCHLIST_JOB, WATCHLIST_JOB_CRON } from './jobs/watchlist-job.ts';
import type { AppDeps } from './main.ts';
import type { CaseNotifier } from './outbox/case-notifier.ts';
import { createCaseNotifier } from './outbox/create-case-notifier.ts';
import {
  createOutboxWorker,
  type OutboxWorker,
  type OutboxWorkerDeps,
} from './outbox/outbox-worker.ts';
import { watchlistContextFrom } from './people/watchlists.ts';
import { EXPIRE_REVEALS_JOB, expireReveals } from './privacy/expire-reveals.ts';
import {
  type DataProtectionService,
  localDataProtectionService,
} from './retention/data-protection-service.ts';
import { retentionJob } from './retention/retention-job.ts';

/** The parts a serving process runs beside the store: metrics, intake, chat apps and the delivery worker. */
export interface Runtime {
  metrics: Metrics;
  notifier: CaseNotifier;
  intake: IntakeDeps;
  caseService: CaseService;
  /** Retention plans and runs, and subject access exports. */
  dataProtection: DataProtectionService;
  /** The volume path's dependencies, shared by the Incydr job and the local API. */
  fileEvents: FileIngestDeps;
  /** The critical-file registry, file sightings and file-event ingest of the local API. */
  files: FilesService;
  slack: SlackApp | null;
  teams: TeamsApp | null;
  /** The local console chat, when the routing names a console channel. */
  console: ConsoleChat | null;
  worker: OutboxWorker | null;
  /** Fires due SLA timers every minute, on one replica at a time. */
  scheduler: Scheduler;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires the serving process from the configuration: Slack when SLACK_BOT_TOKEN is set, Teams when
 * its credentials (or local unauthenticated mode) are set, the outbox notifier for those platforms,
 * and the delivery worker. Without a chat platform, cases are worked through the CLI and the local
 * API only, and no chat messages are queued.
 */
export async function createRuntime(
  deps: AppDeps,
  options: { worker?: Pick<OutboxWorkerDeps, 'channelIntervalMs' | 'idleMs' | 'now'> } = {},
): Promise<Runtime> {
  const { config, logger, store } = deps;
  const metrics = createMetrics();
  const platforms: ChatPlatform[] = [];
  if (config.env.SLACK_BOT_TOKEN !== undefined) platforms.push('slack');
  const teamsOn =
    config.env.TEAMS_CLIENT_ID !== undefined ||
    config.env.TEAMS_ALLOW_UNAUTHENTICATED !== undefined;
  if (teamsOn) platforms.push('teams');
  if (consoleRouted(config.file.routing)) {
    assertConsoleExposure(config.env);
    platforms.push('console');
  }
  const notifier = createCaseNotifier(config.file.routing, platforms);
  const calendar = createBusinessCalendar(config.file.policy);
  const onTransition = (event: string, outcome: string) =>
    metrics.caseTransitions.inc({ event, outcome });
  const intake: IntakeDeps = {
    db: store.db,
    logger,
    reopenWindowHours: config.file.intake.reopenWindowHours,
    notifier,
    calendar,
    watch: watchlistContextFrom(config.file),
    onSignal: (feed: FeedName, result: string) => metrics.signalsIngested.inc({ feed, result }),
  };
  const caseService = localCaseService({
    ...intake,
    onTransition,
    revealHours: config.file.privacy.revealHours,
  });
  // Read and validated at start, so a serving process with an invalid rule file does not start.
  const fileEvents = createFileIngestDeps(deps, { notifier });
  const files = localFilesService({ db: store.db, fileIngest: () => fileEvents });
  const leader = createLeaderLock({ store, logger });
  const scheduler = createScheduler({
    store,
    logger,
    notifier,
    leader,
    calendar,
    ...(config.env.CASEBRIDGE_TIMERS_CRON === undefined
      ? {}
      : { timersCron: config.env.CASEBRIDGE_TIMERS_CRON }),
  });
  const jobs: Array<CronJob<unknown>> = [
    createCronJob(
      { leader, logger },
      {
        name: WATCHLIST_JOB,
        cron: WATCHLIST_JOB_CRON,
        run: () =>
          runWatchlistJob({
            db: store.db,
            logger,
            notifier,
            calendar,
            watch: watchlistContextFrom(config.file),
            now: () => new Date(),
          }),
      },
    ),
    createCronJob(
      { leader, logger },
      {
        name: 'purge-receipts',
        cron: '17 * * * *',
        run: () => purgeReceipts(store.db, new Date()),
      },
    ),
    createCronJob(
      { leader, logger },
      {
        name: EXPIRE_REVEALS_JOB,
        cron: '* * * * *',
        run: () => expireReveals({ db: store.db, logger }, new Date()),
      },
    ),
  ];
  const incydr = config.file.incydr;
  if (incydr !== undefined) {
    jobs.push(
      createIncydrJob({
        leader,
        logger,
        db: store.db,
        settings: incydr,
        env: config.env,
        intake,
        fileEvents,
      }),
    );
  }
  const hrSync = createHrSyncJob({ db: store.db, logger, leader }, config);
  if (hrSync !== null) jobs.push(hrSync as CronJob<unknown>);
  const dataProtection = localDataProtectionService({
    db: store.db,
    logger,
    config: config.file,
    hooks: {
      dropFileEventPartitionsBefore: (before) => dropFileEventPartitionsBefore(store.db, before),
    },
  });
  const retention = retentionJob({ leader, logger, service: dataProtection }, config.file);
  if (retention !== null) jobs.push(retention);

  let slack: SlackApp | null = null;
  let teams: TeamsApp | null = null;
  let consoleChat: ConsoleChat | null = null;
  let worker: OutboxWorker | null = null;
  if (platforms.length > 0) {
    for (const platform of platforms) {
      for (const audience of ['security', 'hr', 'legal'] as const) {
        if (config.file.routing[audience]?.[platform] === undefined) {
          logger.warn(
            { audience, platform },
            'chat platform is configured but routing names no channel for this audience; its threads are skipped',
          );
        }
      }
    }
    const pseudonymKey = await loadPseudonymKey(store.db);
    const act = (input: ActOnCaseInput) =>
      actOnCase({ db: store.db, logger, notifier, onTransition, calendar }, input);
    if (platforms.includes('slack')) {
      slack = createSlackApp({
        env: config.env,
        db: store.db,
        logger,
        pseudonymKey,
        act,
        revealHours: config.file.privacy.revealHours,
      });
    }
    if (platforms.includes('teams')) {
      teams = createTeamsApp({
        env: config.env,
        db: store.db,
        logger,
        pseudonymKey,
        act,
        ...(config.env.TEAMS_SERVICE_URL === undefined
          ? {}
          : { serviceUrl: config.env.TEAMS_SERVICE_URL }),
        rosterConversations: (['security', 'hr', 'legal'] as const).flatMap(
          (audience) => config.file.routing[audience]?.teams ?? [],
        ),
      });
    }
    if (platforms.includes('console')) {
      consoleChat = createConsoleChat({ db: store.db, logger, routing: config.file.routing, act });
    }
    worker = createOutboxWorker({
      db: store.db,
      logger,
      ports: {
        ...(slack === null ? {} : { slack: slack.port }),
        ...(teams === null ? {} : { teams: teams.port }),
        ...(consoleChat === null ? {} : { console: consoleChat.port }),
      },
      renderView: (caseId, audience, locale) =>
        loadCaseView(store.db, pseudonymKey, caseId, audience, locale, { includeReveal: true }),
      channelLocale: (audience, platform) => channelLocale(config.file.routing, audience, platform),
      routing: config.file.routing,
      ...options.worker,
    });

    const [hour, minute] = config.file.policy.digest.time.split(':').map(Number);
    const ports = {
      ...(slack === null ? {} : { slack: slack.port }),
      ...(teams === null ? {} : { teams: teams.port }),
      ...(consoleChat === null ? {} : { console: consoleChat.port }),
    };
    jobs.push(
      createCronJob(
        { leader, logger },
        {
          name: DAILY_DIGEST_JOB,
          cron: `${minute} ${hour} * * *`,
          timeZone: config.file.policy.timeZone,
          run: () =>
            sendDailyDigests({
              db: store.db,
              logger,
              routing: config.file.routing,
              ports,
              now: () => new Date(),
              timeZone: config.file.policy.timeZone,
            }),
        },
      ),
    );
  }

  return {
    metrics,
    notifier,
    intake,
    caseService,
    dataProtection,
    fileEvents,
    files,
    slack,
    teams,
    console: consoleChat,
    worker,
    scheduler,
    async start() {
      await slack?.start();
      await teams?.start();
      worker?.start();
      scheduler.start();
      for (const job of jobs) job.start();
    },
    async stop() {
      for (const job of jobs) await job.stop();
      await scheduler.stop();
      await worker?.stop();
      await slack?.stop();
    },
  };
}
