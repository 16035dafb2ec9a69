import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCases } from '../cases/list-cases.ts';
import { type FeedName, feedNames } from '../config.ts';
import { buildServer } from '../http/server.ts';
import { type IngestSummary, ingestFeed } from '../intake/ingest-feed.ts';
import { type AppDeps, bootstrap } from '../main.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { createOutput, reportError } from './output.ts';

const examplesFolder = fileURLToPath(new URL('../../examples', import.meta.url));

/** Starts the HTTP server, the chat apps and the delivery worker, and keeps them until SIGINT or SIGTERM. */
async function startServer(deps: AppDeps, runtime: Runtime): Promise<string> {
  const slack = runtime.slack;
  const server = await buildServer({
    config: deps.config,
    store: deps.store,
    logger: deps.logger,
    metrics: runtime.metrics,
    ingestFeed: (input) => ingestFeed(runtime.intake, input),
    caseService: runtime.caseService,
    dataProtection: runtime.dataProtection,
    files: runtime.files,
    ...(slack?.receiver != null && slack.signingSecret !== null
      ? { slack: { receiver: slack.receiver, signingSecret: slack.signingSecret } }
      : {}),
    ...(runtime.teams === null ? {} : { teams: { handle: runtime.teams.adapter.handle } }),
    ...(runtime.console === null ? {} : { console: { chat: runtime.console } }),
  });
  // The chat apps check their credentials first, so a bad token stops the start before the port opens.
  await runtime.start();
  let url: string;
  try {
    url = await server.listen({ host: deps.config.env.HOST, port: deps.config.env.PORT });
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  deps.store.setServerUrl?.(url);

  const stop = async (signal: string) => {
    deps.logger.info({ signal }, 'stopping');
    await runtime.stop();
    await server.close();
    await deps.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  deps.logger.info(
    {
      url,
      store: deps.store.kind,
      config: deps.config.configPath ?? 'built-in defaults',
      slack: slack?.mode ?? 'off',
      teams: runtime.teams === null ? 'off' : 'on',
    },
    'casebridge serving',
  );
  return url;
}

export async function runServe(json: boolean): Promise<void> {
  let deps: AppDeps | undefined;
  try {
    deps = await bootstrap();
    const url = await startServer(deps, await createRuntime(deps));
    createOutput(json).result({ url }, () => `Casebridge is serving on ${url}`);
  } catch (error) {
    await failStart(error, json, deps);
  }
}

/**
 * Reports a failed start and ends the process: a serving command that cannot start must not
 * linger with open handles (a database pool, a Slack client), or a supervisor would think it runs.
 */
async function failStart(error: unknown, json: boolean, deps: AppDeps | undefined): Promise<never> {
  const code = reportError(error, json);
  await deps?.close().catch(() => {});
  process.exit(code);
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
  let deps: AppDeps | undefined;
  try {
    deps = await bootstrap(process.env, {
      defaultConfigPath: path.join(examplesFolder, 'casebridge.yaml'),
    });

    const runtime = await createRuntime(deps);
    const samplesFolder = path.join(examplesFolder, 'detections');
    const ingested: Array<{ file: string; feed: FeedName } & IngestSummary> = [];
    for (const file of readdirSync(samplesFolder).sort()) {
      const feed = feedOfSample(file);
      if (feed === null) continue;
      const summary = await ingestFeed(runtime.intake, {
        feed,
        text: readFileSync(path.join(samplesFolder, file), 'utf8'),
        atomic: false,
      });
      ingested.push({ file, feed, ...summary });
    }
    const cases = await listCases(deps.store.db);
    const url = await startServer(deps, runtime);

    createOutput(json).result({ url, consoleUrl: `${url}/console`, ingested, cases }, () =>
      demoText(url, ingested, cases),
    );
  } catch (error) {
    await failStart(error, json, deps);
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
    `Console: ${url}/console  (dashboard: ${url}/dashboard)`,
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
  const as = (email: string) => `${url}/console?as=${encodeURIComponent(email)}`;
  lines.push(
    `Try this in a browser, with case ${key}:`,
    `  1. Act as the analyst: ${as('ann.analyst@example.com')}`,
    `     In #security, open "Escalate to HR" on ${key}, write a summary and submit. The subject shows as a pseudonym.`,
    `  2. Act as HR: ${as('hana.hr@example.com')}`,
    '     In #hr the case arrived with the name. Choose response "Serious action" and the action "Termination".',
    `  3. Act as Legal: ${as('leo.legal@example.com')}, then ${as('lia.legal@example.com')}`,
    '     Each approves in #legal; termination needs two different lawyers. Try approving twice as Leo to see the refusal.',
    `  4. Back as HR: record the action taken, and the case closes. Or, on another case, choose "Involve the subject's manager"`,
    `     and act as the manager (${as('maria.gomez@example.com')}): the notice in direct messages has no evidence.`,
    `  5. See the figures and the audit timeline: ${url}/dashboard?as=ann.analyst%40example.com`,
    '',
    'The same steps from another terminal; while the demo runs, the commands go through it:',
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
