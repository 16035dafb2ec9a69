import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { CaseService } from '../cases/case-service.ts';
import type { Config } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import type { FilesService } from '../files/files-service.ts';
import type { IngestFeed } from '../intake/ingest-feed.ts';
import type { Logger } from '../log.ts';
import { createScimUsers } from '../people/scim/scim-users.ts';
import type { DataProtectionService } from '../retention/data-protection-service.ts';
import type { Store } from '../store/db.ts';
import { handleError } from './error-handler.ts';
import type { Metrics } from './metrics.ts';
import { dataProtectionApiRoute } from './routes/data-protection-api.ts';
import { feedsRoute } from './routes/feeds.ts';
import { healthzRoute } from './routes/healthz.ts';
import { localApiRoute } from './routes/local-api.ts';
import { localFilesApiRoute } from './routes/local-api-files.ts';
import { localPeopleApiRoute } from './routes/local-api-people.ts';
import { type LocalPagesOptions, localPagesRoute } from './routes/local-pages.ts';
import { metricsRoute } from './routes/metrics.ts';
import { readyzRoute } from './routes/readyz.ts';
import { SCIM_PREFIX, scimRoute } from './routes/scim.ts';
import { type SlackRouteOptions, slackRoute } from './routes/slack.ts';
import { type TeamsRouteOptions, teamsRoute } from './routes/teams.ts';

export interface HttpDeps {
  config: Config;
  store: Store;
  logger: Logger;
  metrics: Metrics;
  ingestFeed: IngestFeed;
  /** Serves the local API under /api when given; the CLI uses it while this server holds the embedded database. */
  caseService?: CaseService;
  /** Serves the retention and subject access routes of the local API when given. */
  dataProtection?: DataProtectionService;
  /** Serves the critical-file registry, file sightings and file-event ingest of the local API when given. */
  files?: FilesService;
  /** Serves `POST /slack/events` when Slack runs in HTTP mode. */
  slack?: SlackRouteOptions;
  /** Serves `POST /api/messages` when Teams is configured. */
  teams?: TeamsRouteOptions;
  /** Serves the console chat at `/console` and the dashboard at `/dashboard`. */
  console?: Pick<LocalPagesOptions, 'chat'>;
}

/** Probe and scrape endpoints, left out of the per-request log lines because they run every few seconds. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Builds the HTTP server with its routes, without listening. The caller calls
 * `listen({ host, port })`. Fails with CONFIG_INVALID when a feed secret is malformed.
 */
export async function buildServer(deps: HttpDeps): Promise<FastifyInstance> {
  const logger: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({
      // SCIM URLs carry user names in filters; that route logs its own lines without the URL.
      disableRequestLogging: (request) =>
        QUIET_PATHS.has(request.url) || request.url.startsWith(`${SCIM_PREFIX}/`),
    }),
    // Random ids stay unique across replicas, unlike fastify's per-process counter.
    genReqId: () => randomUUID(),
  });

  app.setErrorHandler(handleError);
  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpRequestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(healthzRoute);
  await app.register(readyzRoute, { store: deps.store });
  await app.register(metricsRoute, { metrics: deps.metrics });
  await app.register(feedsRoute, {
    config: deps.config,
    metrics: deps.metrics,
    ingestFeed: deps.ingestFeed,
  });

  if (deps.caseService !== undefined) {
    await app.register(localApiRoute, {
      service: deps.caseService,
      consoleToken: deps.config.env.CONSOLE_TOKEN,
    });
    await app.register(localPeopleApiRoute, {
      db: deps.store.db,
      consoleToken: deps.config.env.CONSOLE_TOKEN,
    });
  }
  // Without SCIM_TOKEN the SCIM endpoint does not exist, so its paths answer 404.
  if (deps.config.env.SCIM_TOKEN !== undefined) {
    await app.register(scimRoute, {
      users: createScimUsers(deps.store.db),
      token: deps.config.env.SCIM_TOKEN,
    });
  }
  if (deps.dataProtection !== undefined) {
    await app.register(dataProtectionApiRoute, {
      service: deps.dataProtection,
      consoleToken: deps.config.env.CONSOLE_TOKEN,
    });
  }
  if (deps.files !== undefined) {
    await app.register(localFilesApiRoute, {
      service: deps.files,
      consoleToken: deps.config.env.CONSOLE_TOKEN,
    });
  }
  if (deps.slack !== undefined) await app.register(slackRoute, deps.slack);
  if (deps.teams !== undefined) await app.register(teamsRoute, deps.teams);
  if (deps.console !== undefined) {
    await app.register(localPagesRoute, {
      chat: deps.console.chat,
      consoleToken: deps.config.env.CONSOLE_TOKEN,
    });
  }
  app.setNotFoundHandler((request) => {
    throw new CasebridgeError(
      'ROUTE_NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0]}.`,
    );
  });

  return app;
}
