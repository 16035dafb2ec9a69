/**
 * Incydr pull benchmark: one pull of N file events from the local fake Incydr API, through the
 * real client (OAuth, rate limiter, pgToken paging) and the cursor table on the real PostgreSQL
 * server. The page handler only counts, so the figure is the pull's own cost without intake.
 *
 *   npm run bench:incydr -- [--events 100000] [--page-size 1000] [--rpm 6000]
 *
 * The server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
 * the database casebridge_bench_incydr is created and dropped.
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createIncydrPuller } from '../src/incydr/pull-incydr.ts';
import { incydrSettingsSchema } from '../src/incydr/settings.ts';
import { createLogger } from '../src/log.ts';
import { openStore } from '../src/store/db.ts';
import { makeFileEvents } from '../test/incydr/incydr-fixtures.ts';
import { FakeIncydrApi } from '../test/support/fake-incydr-api.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    'page-size': { type: 'string', default: '1000' },
    rpm: { type: 'string', default: '6000' },
  },
});
const eventCount = Number(values.events);
const pageSize = Number(values['page-size']);
const requestsPerMinute = Number(values.rpm);

const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = 'casebridge_bench_incydr';
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.unsafe(`create database ${database}`);
const url = new URL(serverUrl);
url.pathname = `/${database}`;
const store = await openStore({ databaseUrl: url.toString(), maxConnections: 2 });
await store.migrate();

const now = new Date();
const fake = await new FakeIncydrApi().start();
fake.addFileEvents(makeFileEvents(eventCount, new Date(now.getTime() - 20 * 3_600_000), 500));

let received = 0;
const puller = createIncydrPuller({
  db: store.db,
  logger: createLogger({ level: 'silent' }),
  settings: incydrSettingsSchema.parse({
    baseUrl: fake.url,
    streams: ['file-events'],
    fileEventsPageSize: pageSize,
    requestsPerMinute,
  }),
  env: { INCYDR_CLIENT_ID: fake.clientId, INCYDR_CLIENT_SECRET: fake.clientSecret },
  handlers: {
    sessions: async () => undefined,
    'file-events': async (page) => {
      received += page.records.length;
      return undefined;
    },
  },
  now: () => now,
});

try {
  const started = performance.now();
  const summary = await puller.pull();
  const seconds = (performance.now() - started) / 1000;
  const result = summary.streams[0];
  if (received !== eventCount || result?.status !== 'succeeded') {
    throw new Error(`expected ${eventCount} events, received ${received} (${result?.status})`);
  }
  console.log(
    JSON.stringify({
      events: received,
      pageSize,
      requestsPerMinute,
      pages: result.pages,
      requests: summary.requests,
      seconds: Number(seconds.toFixed(2)),
      eventsPerSecond: Math.round(received / seconds),
      // At the default budget every request waits its turn: the pull cannot be faster than this.
      secondsAt120PerMinute: (summary.requests * 60) / 120,
    }),
  );
} finally {
  await fake.stop();
  await store.close();
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
}
