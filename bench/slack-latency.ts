/**
 * Alert → first Slack post latency: single-record webhook deliveries go through intake, the
 * outbox and the delivery worker to a local fake of the Slack Web API, and the time from the start
 * of each ingest to the fake's receipt of that case's first card is measured.
 *
 *   npm run bench:slack -- [--alerts 40] [--interval-ms 1200]
 *
 * Alerts arrive one per `--interval-ms`, each for a new subject, so every one opens a case whose
 * card goes to the one security channel (paced at one post per second per channel). The server is
 * BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
 * the database casebridge_bench_slack is created and dropped.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { loadPseudonymKey } from '../src/cases/pseudonym.ts';
import { loadCaseView } from '../src/chat/load-case-view.ts';
import { createSlackClient, SlackChatPort } from '../src/chat/slack/slack-port.ts';
import { ingestFeed } from '../src/intake/ingest-feed.ts';
import { createLogger } from '../src/log.ts';
import { createCaseNotifier } from '../src/outbox/create-case-notifier.ts';
import { createOutboxWorker } from '../src/outbox/outbox-worker.ts';
import { openStore } from '../src/store/db.ts';
import { cases, signals } from '../src/store/schema.ts';
import { FakeSlackApi } from '../test/support/fake-slack-api.ts';

const { values } = parseArgs({
  options: {
    alerts: { type: 'string', default: '40' },
    'interval-ms': { type: 'string', default: '1200' },
  },
});
const alertCount = Number(values.alerts);
const intervalMs = Number(values['interval-ms']);

const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = 'casebridge_bench_slack';
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.unsafe(`create database ${database}`);
const url = new URL(serverUrl);
url.pathname = `/${database}`;

const store = await openStore({ databaseUrl: url.toString() });
await store.migrate();
const slack = await FakeSlackApi.start();
slack.members.set('CSECURITY1', []);
const logger = createLogger({ level: 'silent' });
const key = await loadPseudonymKey(store.db);
const notifier = createCaseNotifier({ security: { slack: 'CSECURITY1' } }, ['slack']);
const worker = createOutboxWorker({
  db: store.db,
  logger,
  ports: {
    slack: new SlackChatPort(
      createSlackClient({ token: 'xoxb-bench', slackApiUrl: slack.url, logger }),
    ),
  },
  renderView: (caseId, audience) => loadCaseView(store.db, key, caseId, audience, 'en'),
});
worker.start();

const started = new Map<string, number>();
for (let i = 0; i < alertCount; i++) {
  const id = `latency-${i}`;
  started.set(id, performance.now());
  const record = {
    id,
    subject: { email: `latency${i}@partner.example.org` },
    observedAt: new Date().toISOString(),
    severity: 'high',
    title: `Bench alert ${i}`,
  };
  await ingestFeed(
    { db: store.db, logger, reopenWindowHours: 72, notifier },
    { feed: 'webhook', text: JSON.stringify(record), atomic: true },
  );
  await new Promise((resolve) => setTimeout(resolve, intervalMs));
}

// Wait for the last cards, then match each alert to its card by the case key in the card text.
const deadline = Date.now() + 30_000;
while (slack.callsTo('chat.postMessage').length < alertCount && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 100));
}
await worker.stop();

const origin = performance.timeOrigin;
const latencies: number[] = [];
const rows = await store.db
  .select({ key: cases.key, externalId: signals.externalId })
  .from(cases)
  .innerJoin(signals, eq(signals.caseId, cases.id));
for (const row of rows) {
  const post = slack
    .callsTo('chat.postMessage')
    .find((call) => JSON.stringify(call.body).includes(row.key));
  const begin = started.get(row.externalId);
  if (post === undefined || begin === undefined) continue;
  latencies.push(post.at.getTime() - (origin + begin));
}
latencies.sort((a, b) => a - b);
const pick = (fraction: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * fraction))] ?? Number.NaN;

await slack.close();
await store.close();
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.end();

const result = {
  alerts: alertCount,
  delivered: latencies.length,
  intervalMs,
  p50Ms: Math.round(pick(0.5)),
  p99Ms: Math.round(pick(0.99)),
  maxMs: Math.round(latencies.at(-1) ?? Number.NaN),
  targetP99Ms: 2000,
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `alert → first Slack post: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms over ${result.delivered} of ${alertCount} alerts (target p99 ≤ 2000 ms)`,
);
