import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createMetrics, type Metrics } from '../../src/http/metrics.ts';
import { buildServer } from '../../src/http/server.ts';
import type { IngestFeed, IngestSummary } from '../../src/intake/ingest-feed.ts';
import { createLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/db.ts';

export interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  [field: string]: unknown;
}

export interface TestServer {
  app: FastifyInstance;
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  metrics: Metrics;
  /** Every line the server logged so far, parsed. */
  logLines: LogLine[];
  /** The raw log output, for checks that a value never reached the log. */
  logText(): string;
  close(): Promise<void>;
}

/** Builds the server with the given environment and dependencies and listens on 127.0.0.1. */
export async function startServer(options: {
  env: Record<string, string>;
  store: Store;
  ingestFeed: IngestFeed;
}): Promise<TestServer> {
  // An empty directory, so that no casebridge.yaml of the working directory is read.
  const cwd = mkdtempSync(path.join(tmpdir(), 'casebridge-http-'));
  const config = loadConfig(options.env, cwd);
  const logLines: LogLine[] = [];
  const rawLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: {
      write(line: string) {
        rawLines.push(line);
        logLines.push(JSON.parse(line) as LogLine);
      },
    },
  });
  const metrics = createMetrics();

  const app = await buildServer({
    config,
    store: options.store,
    logger,
    metrics,
    ingestFeed: options.ingestFeed,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  return {
    app,
    url: address,
    metrics,
    logLines,
    logText: () => rawLines.join(''),
    close: () => app.close(),
  };
}

export interface FakeIngestFeed {
  ingestFeed: IngestFeed;
  calls: Parameters<IngestFeed>[0][];
  /** Sets what the next calls do: return this summary, or throw this error. */
  respond(outcome: IngestSummary | Error): void;
}

/** A stand-in for intake that records its calls. It returns an empty summary until `respond` sets another outcome. */
export function fakeIngestFeed(): FakeIngestFeed {
  const calls: Parameters<IngestFeed>[0][] = [];
  let outcome: IngestSummary | Error = { created: 0, grouped: 0, duplicates: 0, rejected: [] };

  return {
    calls,
    respond(next) {
      outcome = next;
    },
    async ingestFeed(input) {
      calls.push(input);
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
}
