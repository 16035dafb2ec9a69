import { actOnCase } from './cases/act-on-case.ts';
import { type CaseService, localCaseService } from './cases/case-service.ts';
import { loadPseudonymKey } from './cases/pseudonym.ts';
import { loadCaseView } from './chat/load-case-view.ts';
import type { ChatPlatform } from './chat/port.ts';
import { createSlackApp, type SlackApp } from './chat/slack/app.ts';
import type { FeedName } from './config.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import type { IntakeDeps } from './intake/ingest-feed.ts';
import { createScheduler, type Scheduler } from './jobs/scheduler.ts';
import type { AppDeps } from './main.ts';
import type { CaseNotifier } from './outbox/case-notifier.ts';
import { createCaseNotifier } from './outbox/create-case-notifier.ts';
import {
  createOutboxWorker,
  type OutboxWorker,
  type OutboxWorkerDeps,
} from './outbox/outbox-worker.ts';

/** The parts a serving process runs beside the store: metrics, intake, chat apps and the delivery worker. */
export interface Runtime {
  metrics: Metrics;
  notifier: CaseNotifier;
  intake: IntakeDeps;
  caseService: CaseService;
  slack: SlackApp | null;
  worker: OutboxWorker | null;
  /** Fires due SLA timers every minute, on one replica at a time. */
  scheduler: Scheduler;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Wires the serving process from the configuration: Slack when SLACK_BOT_TOKEN is set, the outbox
 * notifier for the configured platforms, and the delivery worker. Without a chat platform, cases
 * are worked through the CLI and the local API only, and no chat messages are queued.
 */
export async function createRuntime(
  deps: AppDeps,
  options: { worker?: Pick<OutboxWorkerDeps, 'channelIntervalMs' | 'idleMs' | 'now'> } = {},
): Promise<Runtime> {
  const { config, logger, store } = deps;
  const metrics = createMetrics();
  const platforms: ChatPlatform[] = config.env.SLACK_BOT_TOKEN === undefined ? [] : ['slack'];
  const notifier = createCaseNotifier(config.file.routing, platforms);
  const onTransition = (event: string, outcome: string) =>
    metrics.caseTransitions.inc({ event, outcome });
  const intake: IntakeDeps = {
    db: store.db,
    logger,
    reopenWindowHours: config.file.intake.reopenWindowHours,
    notifier,
    onSignal: (feed: FeedName, result: string) => metrics.signalsIngested.inc({ feed, result }),
  };
  const caseService = localCaseService({ ...intake, onTransition });
  const scheduler = createScheduler({ store, logger, notifier });

  let slack: SlackApp | null = null;
  let worker: OutboxWorker | null = null;
  if (platforms.includes('slack')) {
    for (const audience of ['security', 'hr', 'legal'] as const) {
      if (config.file.routing[audience]?.slack === undefined) {
        logger.warn(
          { audience },
          'SLACK_BOT_TOKEN is set but routing has no Slack channel for this audience; its threads are skipped',
        );
      }
    }
    const pseudonymKey = await loadPseudonymKey(store.db);
    slack = createSlackApp({
      env: config.env,
      db: store.db,
      logger,
      pseudonymKey,
      act: (input) => actOnCase({ db: store.db, logger, notifier, onTransition }, input),
    });
    worker = createOutboxWorker({
      db: store.db,
      logger,
      ports: { slack: slack.port },
      renderView: (caseId, audience) =>
        loadCaseView(store.db, pseudonymKey, caseId, audience, 'en'),
      ...options.worker,
    });
  }

  return {
    metrics,
    notifier,
    intake,
    caseService,
    slack,
    worker,
    scheduler,
    async start() {
      await slack?.start();
      worker?.start();
      scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      await worker?.stop();
      await slack?.stop();
    },
  };
}
