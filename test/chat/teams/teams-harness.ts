import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { actOnCase } from '../../../src/cases/act-on-case.ts';
import { loadPseudonymKey } from '../../../src/cases/pseudonym.ts';
import { createTeamsApp } from '../../../src/chat/teams/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { createMetrics } from '../../../src/http/metrics.ts';
import { teamsRoute } from '../../../src/http/routes/teams.ts';
import { buildServer } from '../../../src/http/server.ts';
import { createLogger, type Logger } from '../../../src/log.ts';
import type { Store } from '../../../src/store/db.ts';
import { silentLogger } from '../../support/builders.ts';
import type { FakeBotConnector } from '../../support/fake-bot-connector.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests build and read untyped activity JSON.
export type Json = Record<string, any>;

/** Reads a Teams activity of the corpus, copied under fixtures/. */
export function corpus(name: string): Json {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

/** Returns a logger at info level whose lines are parsed into `lines`. */
export function recordingLogger(): { logger: Logger; lines: Json[] } {
  const lines: Json[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => lines.push(JSON.parse(line)) },
  });
  return { logger, lines };
}

/**
 * Starts our HTTP server with the real Teams app at `POST /api/messages`, accepting requests
 * without a token, and the connector fake as the service URL.
 */
export async function startTeamsServer(
  store: Store,
  connector: FakeBotConnector,
  logger: Logger = silentLogger,
) {
  const config = loadConfig({}, mkdtempSync(path.join(tmpdir(), 'casebridge-teams-')));
  const teams = createTeamsApp({
    env: { HOST: '127.0.0.1', TEAMS_ALLOW_UNAUTHENTICATED: 'true' },
    db: store.db,
    logger,
    pseudonymKey: await loadPseudonymKey(store.db),
    act: (input) => actOnCase({ db: store.db, logger: silentLogger }, input),
    serviceUrl: connector.url,
  });
  await teams.start();

  const server = await buildServer({
    config,
    store,
    logger: silentLogger,
    metrics: createMetrics(),
    ingestFeed: async () => ({ created: 0, grouped: 0, duplicates: 0, rejected: [] }),
  });
  await server.register(teamsRoute, { handle: teams.adapter.handle });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, url };
}

/** Posts an activity to `POST /api/messages` of the server at `url` and returns the HTTP status. */
export async function postActivity(url: string, activity: Json): Promise<number> {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });
  await response.text();
  return response.status;
}
