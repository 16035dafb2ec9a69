/**
 * Timer benchmark: 10,000 due SLA timers (5,000 cases × remind and escalate) fired by two
 * schedulers on separate connection pools, as two replicas would, on the real PostgreSQL server.
 * Prints the time to fire them all and checks that no timer fired twice (one audit event each).
 *
 *   npm run bench:timers -- [--cases 5000]
 *
 * The server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres;
 * the database casebridge_bench_timers is created and dropped.
 */
import { parseArgs } from 'node:util';
import { and, count, eq, inArray } from 'drizzle-orm';
import postgres from 'postgres';
import { ingestFeed } from '../src/intake/ingest-feed.ts';
import { fireDueTimers } from '../src/jobs/fire-due-timers.ts';
import { createLogger } from '../src/log.ts';
import { openStore } from '../src/store/db.ts';
import { auditEvents, timers } from '../src/store/schema.ts';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '5000' } } });
const caseCount = Number(values.cases);

const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = 'casebridge_bench_timers';
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.unsafe(`create database ${database}`);
const url = new URL(serverUrl);
url.pathname = `/${database}`;

const logger = createLogger({ level: 'silent' });
const first = await openStore({ databaseUrl: url.toString(), maxConnections: 4 });
const second = await openStore({ databaseUrl: url.toString(), maxConnections: 4 });
await first.migrate();

// Open the cases in pages of 500, as a feed would deliver them.
const opened = new Date('2026-11-30T09:00:00Z');
for (let start = 0; start < caseCount; start += 500) {
  const lines = [];
  for (let i = start; i < Math.min(caseCount, start + 500); i++) {
    lines.push(
      JSON.stringify({
        id: `timer-${i}`,
        subject: { email: `t${i}@partner.example.org` },
        observedAt: opened.toISOString(),
        severity: 'medium',
        title: 'Bench',
      }),
    );
  }
  await ingestFeed(
    { db: first.db, logger, reopenWindowHours: 0, now: () => opened },
    { feed: 'webhook', text: lines.join('\n'), atomic: true },
  );
}
const [pending] = await first.db
  .select({ n: count() })
  .from(timers)
  .where(eq(timers.status, 'pending'));

// Monday 2026-12-21 10:00 UTC: within working hours, after both triage timers of every case are due.
const now = () => new Date('2026-12-21T10:00:00Z');
const started = performance.now();
const runs = await Promise.all(
  [first, second].map(async (store) => {
    const totals = { fired: 0, deferred: 0 };
    for (;;) {
      const result = await fireDueTimers({ db: store.db, logger, now }, { limit: 500 });
      totals.fired += result.fired;
      totals.deferred += result.deferred;
      if (
        result.fired + result.deferred + result.cancelled + result.failed + result.postponed ===
        0
      )
        return totals;
    }
  }),
);
// Timers deferred because the other replica held their case are fired by a last run.
const last = await fireDueTimers({ db: first.db, logger, now }, { limit: 100_000 });
const seconds = (performance.now() - started) / 1000;

const fired = runs.reduce((sum, run) => sum + run.fired, 0) + last.fired;
const [events] = await first.db
  .select({ n: count() })
  .from(auditEvents)
  .where(
    and(
      inArray(auditEvents.type, ['SLA_REMIND', 'SLA_ESCALATE']),
      eq(auditEvents.outcome, 'accepted'),
    ),
  );
const [left] = await first.db
  .select({ n: count() })
  .from(timers)
  .where(eq(timers.status, 'pending'));

await first.close();
await second.close();
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.end();

const result = {
  timers: pending!.n,
  fired,
  auditEvents: events!.n,
  stillPending: left!.n,
  seconds: Number(seconds.toFixed(2)),
  perSecond: Math.round(fired / seconds),
  byReplica: runs.map((run) => run.fired),
  doubleFires: events!.n - fired,
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `${fired} of ${result.timers} due timers fired in ${result.seconds} s by two schedulers; ${result.doubleFires} fired twice (target: 10,000 in under 10 s, none twice)`,
);
