import { CasebridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import {
  createIncydrClient,
  type IncydrClient,
  type IncydrClientOptions,
} from './incydr-client.ts';
import { pullFileEvents } from './pull-file-events.ts';
import { pullSessions } from './pull-sessions.ts';
import type { IncydrSettings, IncydrStream } from './settings.ts';
import {
  openWindow,
  type PageHandler,
  type StreamDeps,
  type StreamRunResult,
} from './stream-run.ts';

export interface IncydrPullSummary {
  streams: Array<StreamRunResult & { durationMs: number }>;
  requests: number;
  tokensIssued: number;
  retries: number;
  durationMs: number;
}

export interface IncydrPuller {
  /** Pulls each stream (the configured ones by default) once, one after the other. */
  pull(streams?: readonly IncydrStream[]): Promise<IncydrPullSummary>;
  readonly client: IncydrClient;
}

export interface IncydrPullerDeps {
  db: Db;
  logger: Logger;
  settings: IncydrSettings;
  env: { INCYDR_CLIENT_ID?: string | undefined; INCYDR_CLIENT_SECRET?: string | undefined };
  /** The page handler of each stream. */
  handlers: Record<IncydrStream, PageHandler>;
  now?: () => Date;
  /** Test hooks for backoff and token renewal timing. */
  client?: Pick<
    IncydrClientOptions,
    'backoffBaseMs' | 'backoffMaxMs' | 'renewTokenBeforeMs' | 'timeoutMs'
  >;
}

/** Creates the puller; fails when the API client credentials are missing. */
export function createIncydrPuller(deps: IncydrPullerDeps): IncydrPuller {
  const clientId = deps.env.INCYDR_CLIENT_ID;
  const clientSecret = deps.env.INCYDR_CLIENT_SECRET;
  if (clientId === undefined || clientSecret === undefined) {
    const missing = clientId === undefined ? 'INCYDR_CLIENT_ID' : 'INCYDR_CLIENT_SECRET';
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `${missing} is not set, but the configuration has an incydr block. Set INCYDR_CLIENT_ID and INCYDR_CLIENT_SECRET to an Incydr API client's key id and secret, or remove the incydr block.`,
    );
  }
  const log = deps.logger.child({ job: 'incydr-pull' });
  const client = createIncydrClient({
    baseUrl: deps.settings.baseUrl,
    clientId,
    clientSecret,
    logger: log,
    requestsPerMinute: deps.settings.requestsPerMinute,
    maxRetries: deps.settings.maxRetries,
    ...deps.client,
  });
  const streamDeps: StreamDeps = {
    db: deps.db,
    client,
    settings: deps.settings,
    logger: log,
    now: deps.now ?? (() => new Date()),
  };

  const pullStream = async (stream: IncydrStream): Promise<StreamRunResult | null> => {
    const window = await openWindow(streamDeps, stream);
    if (window === null) return null;
    log.info(
      {
        stream,
        from: window.start.toISOString(),
        to: window.end.toISOString(),
        resumed: window.resumed,
      },
      'incydr stream pull started',
    );
    const pull = stream === 'sessions' ? pullSessions : pullFileEvents;
    return pull(streamDeps, window, deps.handlers[stream]);
  };

  return {
    client,
    async pull(streams = deps.settings.streams) {
      const started = Date.now();
      const before = client.stats();
      log.info({ streams }, 'incydr pull started');
      const results: IncydrPullSummary['streams'] = [];
      for (const stream of streams) {
        const streamStarted = Date.now();
        const result = await pullStream(stream);
        if (result === null) continue;
        const durationMs = Date.now() - streamStarted;
        results.push({ ...result, durationMs });
        log.info(
          {
            stream,
            status: result.status,
            pages: result.pages,
            records: result.records,
            skippedPages: result.skippedPages,
            ...result.handled,
            durationMs,
          },
          'incydr stream pull finished',
        );
      }
      const after = client.stats();
      const summary = {
        streams: results,
        requests: after.requests - before.requests,
        tokensIssued: after.tokensIssued - before.tokensIssued,
        retries: after.retries - before.retries,
        durationMs: Date.now() - started,
      };
      log.info(
        {
          requests: summary.requests,
          tokensIssued: summary.tokensIssued,
          retries: summary.retries,
          failed: results.filter((result) => result.status === 'failed').length,
          durationMs: summary.durationMs,
        },
        'incydr pull finished',
      );
      return summary;
    },
  };
}
