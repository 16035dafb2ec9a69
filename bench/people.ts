/**
 * People import benchmark: a 40,000-row HR CSV imported into an empty directory, then the same
 * file with 1 % of the rows changed (400 people: a new department, a notice date and a last
 * working day), on the real PostgreSQL server. Prints the wall time of each import and checks
 * that the second one wrote and audited exactly the changed rows.
 *
 *   npm run bench:people -- [--rows 40000] [--changed-percent 1]
 *
 * The server is BENCH_DATABASE_URL, else DATABASE_URL, else TEST_DATABASE_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres; the database casebridge_bench_people is created
 * and dropped.
 */
import { loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { count, eq } from 'drizzle-orm';
import postgres from 'postgres';
import { importPeopleCsv } from '../src/people/csv-import.ts';
import { openStore } from '../src/store/db.ts';
import { auditEvents } from '../src/store/schema.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '40000' },
    'changed-percent': { type: 'string', default: '1' },
  },
});
const rowCount = Number(values.rows);
const changedEvery = Math.round(100 / Number(values['changed-percent']));

const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL ??
  env.DATABASE_URL ??
  env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';
const database = 'casebridge_bench_people';
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`drop database if exists ${database} with (force)`);
await admin.unsafe(`create database ${database}`);
const url = new URL(serverUrl);
url.pathname = `/${database}`;
const store = await openStore({ databaseUrl: url.toString(), maxConnections: 4 });

const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Europe/London'];
const countries = ['DE', 'US', 'JP', 'GB'];
const header =
  'email,name,manager_email,department,employee_number,locale,country,time_zone,hire_date,notice_date,last_working_day,active,ids';

/** Builds the CSV; rows whose index is a multiple of `changedEvery` differ when `changed` is set. */
function buildCsv(changed: boolean): string {
  const lines = [header];
  for (let i = 0; i < rowCount; i++) {
    const isChanged = changed && i % changedEvery === 0;
    const manager = i < 100 ? '' : `person${i % 100}@corp.example.com`;
    const department = isChanged ? 'Moved' : `Dept ${i % 40}`;
    const notice = isChanged ? '2026-12-01' : '';
    const lastDay = isChanged ? '2027-02-28' : '';
    lines.push(
      `person${i}@corp.example.com,Person ${i},${manager},${department},E${i},en-US,${countries[i % 4]},${zones[i % 4]},2019-0${(i % 9) + 1}-15,${notice},${lastDay},true,p${i};corp\\p${i}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function timedImport(label: string, text: string) {
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const report = await importPeopleCsv(store.db, Readable.from([text]), {
    dryRun: false,
    deactivateMissing: false,
    source: label,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `${label}: ${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU of this process, load average ${loadavg()[0]?.toFixed(1)} — rows ${report.rows}, added ${report.added.length}, changed ${report.changed.length}, unchanged ${report.unchanged}, rejected ${report.rejected.length}`,
  );
  return { seconds, report };
}

try {
  await store.migrate();
  const first = await timedImport('full import', buildCsv(false));
  const second = await timedImport('1 % change re-import', buildCsv(true));
  const expectedChanges = Math.ceil(rowCount / changedEvery);
  const [events] = await store.db
    .select({ n: count() })
    .from(auditEvents)
    .where(eq(auditEvents.stream, 'directory'));

  if (first.report.added.length !== rowCount)
    throw new Error('the full import did not add every row');
  if (second.report.changed.length !== expectedChanges) {
    throw new Error(
      `expected ${expectedChanges} changed rows, got ${second.report.changed.length}`,
    );
  }
  if (events?.n !== rowCount + expectedChanges) {
    throw new Error(
      `expected ${rowCount + expectedChanges} directory audit events, got ${events?.n}`,
    );
  }
  console.log(`audit events in the directory stream: ${events.n} (one per added or changed row)`);
  console.log(`target for the 1 % re-import: < 10 s — ${second.seconds < 10 ? 'met' : 'MISSED'}`);
} finally {
  await store.close();
  await admin.unsafe(`drop database if exists ${database} with (force)`);
  await admin.end();
}
