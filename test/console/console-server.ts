import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type FeedName, feedNames, loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { ingestFeed } from '../../src/intake/ingest-feed.ts';
import { syncDirectory } from '../../src/people/sync-directory.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import type { Store } from '../../src/store/db.ts';
import { examplesConfigPath, repoRoot, silentLogger } from '../support/builders.ts';

export interface ConsoleServer {
  url: string;
  app: FastifyInstance;
  runtime: Runtime;
  close(): Promise<void>;
}

/**
 * Starts what `npm run demo` starts, on a test store: the example configuration (every audience
 * routed to the console), the bundled sample detections, the outbox worker and the HTTP server on
 * 127.0.0.1.
 */
export async function startConsoleServer(
  store: Store,
  env: Record<string, string> = {},
): Promise<ConsoleServer> {
  const config = loadConfig({ CASEBRIDGE_CONFIG: examplesConfigPath, HOST: '127.0.0.1', ...env });
  await syncDirectory(store.db, config);
  const deps = { config, logger: silentLogger, store, close: async () => {} };
  const runtime = await createRuntime(deps, { worker: { idleMs: 50, channelIntervalMs: 0 } });

  const samples = path.join(repoRoot, 'examples', 'detections');
  for (const file of readdirSync(samples).sort()) {
    const feed = file.split(/[-.]/)[0] as FeedName;
    if (!feedNames.includes(feed)) continue;
    await ingestFeed(runtime.intake, {
      feed,
      text: readFileSync(path.join(samples, file), 'utf8'),
      atomic: false,
    });
  }

  if (runtime.console === null)
    throw new Error('the example configuration routes nothing to the console');
  const app = await buildServer({
    config,
    store,
    logger: silentLogger,
    metrics: runtime.metrics,
    ingestFeed: (input) => ingestFeed(runtime.intake, input),
    console: { chat: runtime.console },
  });
  await runtime.start();
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    runtime,
    async close() {
      await runtime.stop();
      await app.close();
    },
  };
}
