/**
 * Ingest benchmark: webhook-format signals through the whole intake path (parse, dedup, grouping,
 * case transition, audit event, timers) on the real PostgreSQL server, next to pgbench TPC-B with
 * the same number of clients on the same server.
 *
 *   npm run bench -- [--signals 20000] [--batch 50] [--clients 4] [--people 2000] [--pgbench-seconds 20]
 *
 * Each client sends deliveries of `--batch` records (NDJSON, one atomic delivery each, as a feed
 * page or webhook batch arrives); latencies are per delivery. `--batch 1` measures single-record
 * webhooks.
 *
 * The server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
 * It creates (and drops) the databases casebridge_bench and casebridge_pgbench.
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { ingestFeed } from '../src/intake/ingest-feed.ts';
import { createLogger } from '../src/log.ts';
import { openStore } from '../src/store/db.ts';
import { people, roleGrants } from '../src/store/schema.ts';

const { values } = parseArgs({
  options: {
    signals: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '50' },
    clients: { type: 'string', default: '4' },
    people: { type: 'string', default: '2000' },
    'pgbench-seconds': { type: 'string', default: '20' },
  },
});
const signalCount = Number(values.signals);
const batchSize = Number(values.batch);
const clients = Number(values.clients);
const peopleCount = Number(values.people);
const pgbenchSeconds = Number(values['pgbench-seconds']);

const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function recreateDatabase(name: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/** A deterministic pseudo-random sequence, so that runs compare. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Builds the signal mix: most for directory people, some repeats (duplicates), some unknown subjects. */
function buildPayloads(): string[] {
  const next = random(42);
  const severities = ['low', 'medium', 'medium', 'high', 'critical'];
  const payloads: string[] = [];
  for (let i = 0; i < signalCount; i++) {
    const roll = next();
    if (roll < 0.1 && payloads.length > 0) {
      payloads.push(payloads[Math.floor(next() * payloads.length)]!);
      continue;
    }
    const email =
      roll < 0.15
        ? `contractor${Math.floor(next() * 500)}@partner.example.org`
        : `person${Math.floor(next() * peopleCount)}@example.com`;
    payloads.push(
      JSON.stringify({
        id: `bench-${i}`,
        subject: { email },
        observedAt: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
        severity: severities[Math.floor(next() * severities.length)],
        riskScore: Math.round(next() * 100),
        title: 'Files moved to an untrusted destination',
        indicators: ['removable-media'],
        files: [{ name: `file-${i}.zip`, sha256: null, category: 'Archive', sizeBytes: 1024 * i }],
        destination: { category: 'Removable Media', name: 'USB' },
      }),
    );
  }
  return payloads;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

async function benchIngest(): Promise<{
  perSecond: number;
  p50: number;
  p99: number;
  seconds: number;
  counts: Record<string, number>;
}> {
  await recreateDatabase('casebridge_bench');
  const store = await openStore({
    databaseUrl: databaseUrl('casebridge_bench'),
    maxConnections: clients,
  });
  await store.migrate();
  const rows = Array.from({ length: peopleCount }, (_, i) => ({
    email: `person${i}@example.com`,
    name: `Person ${i}`,
    managerEmail: `person${(i + 1) % peopleCount}@example.com`,
    externalIds: [`p${i}`],
  }));
  for (let i = 0; i < rows.length; i += 500)
    await store.db.insert(people).values(rows.slice(i, i + 500));
  await store.db.insert(roleGrants).values({ email: 'person0@example.com', role: 'security' });

  const records = buildPayloads();
  const payloads: string[] = [];
  for (let i = 0; i < records.length; i += batchSize)
    payloads.push(records.slice(i, i + batchSize).join('\n'));
  const logger = createLogger({ level: 'silent' });
  const deps = { db: store.db, logger, reopenWindowHours: 72 };
  const counts = { created: 0, grouped: 0, duplicates: 0 };
  const latencies: number[] = [];
  let cursor = 0;

  const worker = async () => {
    for (;;) {
      const index = cursor++;
      if (index >= payloads.length) return;
      const started = performance.now();
      const summary = await ingestFeed(deps, {
        feed: 'webhook',
        text: payloads[index]!,
        atomic: true,
      });
      latencies.push(performance.now() - started);
      counts.created += summary.created;
      counts.grouped += summary.grouped;
      counts.duplicates += summary.duplicates;
    }
  };

  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  await dropDatabase('casebridge_bench');

  latencies.sort((a, b) => a - b);
  return {
    perSecond: records.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    seconds,
    counts,
  };
}

function benchPgbench(): number {
  const url = databaseUrl('casebridge_pgbench');
  execFileSync('pgbench', ['-i', '-s', '10', '-q', url], { stdio: 'ignore' });
  const output = execFileSync(
    'pgbench',
    ['-c', String(clients), '-j', String(clients), '-T', String(pgbenchSeconds), '-n', url],
    {
      encoding: 'utf8',
    },
  );
  const match = /tps = ([\d.]+)/.exec(output);
  if (match === null) throw new Error(`could not read the TPS from pgbench output:\n${output}`);
  return Number(match[1]);
}

const ingest = await benchIngest();
await recreateDatabase('casebridge_pgbench');
const tps = benchPgbench();
await dropDatabase('casebridge_pgbench');

const result = {
  clients,
  signals: signalCount,
  batch: batchSize,
  people: peopleCount,
  ingest: {
    signalsPerSecond: Math.round(ingest.perSecond),
    p50Ms: Number(ingest.p50.toFixed(2)),
    p99Ms: Number(ingest.p99.toFixed(2)),
    seconds: Number(ingest.seconds.toFixed(1)),
    ...ingest.counts,
  },
  pgbenchTps: Math.round(tps),
  ratio: Number((ingest.perSecond / tps).toFixed(2)),
  target: 0.5,
};
console.log(JSON.stringify(result, null, 2));
console.log(
  `ingest ${result.ingest.signalsPerSecond} signals/s in deliveries of ${batchSize} (per delivery p50 ${result.ingest.p50Ms} ms, p99 ${result.ingest.p99Ms} ms) vs pgbench TPC-B ${result.pgbenchTps} TPS with ${clients} clients: ratio ${result.ratio} (target ≥ ${result.target})`,
);
