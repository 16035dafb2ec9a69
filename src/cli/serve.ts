import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localCaseService } from '../cases/case-service.ts';
import { listCases } from '../cases/list-cases.ts';
import { type FeedName, feedNames } from '../config.ts';
import { createMetrics } from '../http/metrics.ts';
import { buildServer } from '../http/server.ts';
import { type IngestSummary, ingestFeed } from '../intake/ingest-feed.ts';
import { type AppDeps, bootstrap } from '../main.ts';
import { createOutput, reportError } from './output.ts';

const examplesFolder = fileURLToPath(new URL('../../examples', import.meta.url));

/** Starts the HTTP server and keeps it running until SIGINT or SIGTERM. */
async function startServer(deps: AppDeps): Promise<string> {
  const metrics = createMetrics();
  const intakeDeps = {
    db: deps.store.db,
    logger: deps.logger,
    reopenWindowHours: deps.config.file.intake.reopenWindowHours,
    onSignal: (feed: FeedName, result: string) => metrics.signalsIngested.inc({ feed, result }),
    onTransition: (event: string, outcome: string) =>
      metrics.caseTransitions.inc({ event, outcome }),
  };
  const server = await buildServer({
    config: deps.config,
    store: deps.store,
    logger: deps.logger,
    metrics,
    ingestFeed: (input) => ingestFeed(intakeDeps, input),
    caseService: localCaseService(intakeDeps),
  });
  const url = await server.listen({ host: deps.config.env.HOST, port: deps.config.env.PORT });
  deps.store.setServerUrl?.(url);

  const stop = async (signal: string) => {
    deps.logger.info({ signal }, 'stopping');
    await server.close();
    await deps.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  deps.logger.info({ url, store: deps.store.kind }, 'casebridge serving');
  return url;
}

export async function runServe(json: boolean): Promise<void> {
  try {
    const deps = await bootstrap();
    const url = await startServer(deps);
    createOutput(json).result({ url }, () => `Casebridge is serving on ${url}`);
  } catch (error) {
    process.exitCode = reportError(error, json);
  }
}

/** Returns the feed a sample file belongs to, from its name: `incydr-sessions.json` → incydr. */
function feedOfSample(file: string): FeedName | null {
  const prefix = file.split(/[-.]/)[0] as FeedName;
  return feedNames.includes(prefix) ? prefix : null;
}

/**
 * Runs the demo: the example configuration and directory, the bundled sample detections ingested
 * once (a second run finds them duplicates), and the server.
 */
export async function runDemo(json: boolean): Promise<void> {
  try {
    const deps = await bootstrap(process.env, {
      defaultConfigPath: path.join(examplesFolder, 'casebridge.yaml'),
    });

    const samplesFolder = path.join(examplesFolder, 'detections');
    const ingested: Array<{ file: string; feed: FeedName } & IngestSummary> = [];
    for (const file of readdirSync(samplesFolder).sort()) {
      const feed = feedOfSample(file);
      if (feed === null) continue;
      const summary = await ingestFeed(
        {
          db: deps.store.db,
          logger: deps.logger,
          reopenWindowHours: deps.config.file.intake.reopenWindowHours,
        },
        { feed, text: readFileSync(path.join(samplesFolder, file), 'utf8'), atomic: false },
      );
      ingested.push({ file, feed, ...summary });
    }
    const cases = await listCases(deps.store.db);
    const url = await startServer(deps);

    createOutput(json).result({ url, ingested, cases }, () => demoText(url, ingested, cases));
  } catch (error) {
    process.exitCode = reportError(error, json);
  }
}

function demoText(
  url: string,
  ingested: Array<{ file: string } & IngestSummary>,
  cases: Awaited<ReturnType<typeof listCases>>,
): string {
  const lines = [
    'Casebridge demo',
    '',
    'Sample detections ingested:',
    ...ingested.map(
      (row) =>
        `  ${row.file.padEnd(34)} created ${row.created}, grouped ${row.grouped}, duplicates ${row.duplicates}, rejected ${row.rejected.length}`,
    ),
    '',
    'Cases:',
    ...cases.map((row) => `  ${row.key}  ${row.state.padEnd(14)} ${row.priority}`),
    '',
    `Server: ${url}  (health: ${url}/healthz, metrics: ${url}/metrics). Stop it with Ctrl-C.`,
    '',
  ];

  // The walkthrough uses the most urgent case still in triage: on a fresh start, Dana Lee's, which
  // two feeds report.
  const rank = ['low', 'medium', 'high', 'critical'];
  const walkthrough = cases
    .filter((row) => row.state === 'triage')
    .sort((a, b) => rank.indexOf(b.priority) - rank.indexOf(a.priority))[0];
  if (walkthrough === undefined) {
    lines.push(
      'Every sample case has been worked. Delete the data folder (./.casebridge) to start over.',
    );
    return lines.join('\n');
  }
  const key = walkthrough.key;
  lines.push(
    'Try this in another terminal; while the demo runs, the commands go through it:',
    `  ./bin/casebridge.js cases show ${key}`,
    `  ./bin/casebridge.js cases act ${key} ESCALATE --as ann.analyst@example.com --reason "Source code synced to a personal Dropbox before departure"`,
    `  ./bin/casebridge.js cases act ${key} CHOOSE_RESPONSE --as hana.hr@example.com --response serious_action --action termination`,
    `  ./bin/casebridge.js cases act ${key} APPROVE --as ann.analyst@example.com     # refused: not Legal`,
    `  ./bin/casebridge.js cases act ${key} APPROVE --as leo.legal@example.com`,
    `  ./bin/casebridge.js cases act ${key} APPROVE --as lia.legal@example.com       # termination needs two lawyers`,
    `  ./bin/casebridge.js cases act ${key} RECORD_ACTION --as hana.hr@example.com --reason "Access revoked"`,
    '  ./bin/casebridge.js audit verify',
  );
  return lines.join('\n');
}
