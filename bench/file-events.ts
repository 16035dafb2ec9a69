/**
 * File-event volume benchmark: an NDJSON file of Incydr v2 file events through the whole volume
 * path (stream, parse, registry match, noise rules, COPY into the day-partitioned table, daily
 * totals and baselines, alerts to intake) on the real PostgreSQL server, next to a bare
 * `JSON.parse` loop over the same file. The process's RSS is sampled every 250 ms during ingest.
 * Then it times a bare COPY of the same rows, written beforehand in COPY's text format, into the
 * emptied table: what the server alone needs to store them. When the server runs on this
 * machine, the CPU time of its processes is read from /proc for both runs.
 *
 *   npm run bench:files -- [--events 1000000] [--people 2000] [--days 7] [--batch 100000]
 *
 * `--batch` is the number of events per transaction.
 * The server is BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
 * It creates (and drops) the database casebridge_files_bench, and writes the NDJSON file to the
 * system's temporary folder (about 700 bytes per event, and about 400 for the COPY rows) and
 * deletes them afterwards.
 */
import {
  createReadStream,
  createWriteStream,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { upsertCriticalFiles } from '../src/files/critical-file-registry.ts';
import { parseFileRules } from '../src/files/file-rules.ts';
import { ingestFileEvents } from '../src/files/ingest-file-events.ts';
import { createLogger } from '../src/log.ts';
import { openStore } from '../src/store/db.ts';
import { people } from '../src/store/schema.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    people: { type: 'string', default: '2000' },
    days: { type: 'string', default: '7' },
    batch: { type: 'string', default: '100000' },
  },
});
const eventCount = Number(values.events);
const peopleCount = Number(values.people);
const dayCount = Number(values.days);
const batchSize = Number(values.batch);

const env = process.env;
const serverUrl =
  env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = 'casebridge_files_bench';

function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminRun(statement: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(statement);
  await admin.end();
}

/**
 * A small deterministic generator (mulberry32), so that every run reads the same file. It uses
 * 32-bit integer arithmetic: a linear congruential step in doubles loses precision past 2^53 and
 * falls into a short cycle.
 */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const categories = ['Document', 'Spreadsheet', 'SourceCode', 'Image', 'Pdf', 'Archive'];
const destinations = [
  ['Cloud Storage', 'Dropbox'],
  ['Cloud Storage', 'Box'],
  ['Removable Media', 'USB'],
  ['Email', 'Gmail'],
  ['Device', 'Unmonitored Device'],
];
const registrySize = 10_000;
const hashOf = (n: number) => n.toString(16).padStart(64, '0');

/** Writes a line to a stream, waiting when its buffer is full. */
async function writeLine(out: NodeJS.WritableStream, line: string): Promise<void> {
  if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
}

function endStream(out: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** The columns of the bare COPY, in the order of the rows `writeEvents` writes. */
const copyColumns =
  'subject_key, source, event_id, observed_at, user_email, device, action, file_name, file_path, sha256, md5, file_category, size_bytes, destination_category, destination_name, domains, process, severity, risk_score, critical_file_id, suppressed_by, received_at';

/**
 * Writes the NDJSON events to `file` and, to `copyFile`, the rows the volume path would store for
 * them, in COPY's text format (without the registry match, which the server does not see).
 */
async function writeEvents(file: string, copyFile: string): Promise<void> {
  const next = random(42);
  const out = createWriteStream(file);
  const copyOut = createWriteStream(copyFile);
  const receivedAt = new Date().toISOString();
  const start = Date.parse('2026-03-01T00:00:00Z');
  const span = dayCount * 86_400_000;
  for (let i = 0; i < eventCount; i++) {
    const person = Math.floor(next() * peopleCount);
    // People have habits: 95 % of a person's events use their two file categories and two
    // destinations; the rest go anywhere.
    const habitual = next() < 0.95;
    const category = habitual
      ? categories[(person + (next() < 0.5 ? 0 : 1 + (person % 5))) % categories.length]
      : categories[Math.floor(next() * categories.length)];
    const [destinationCategory, destinationName] = habitual
      ? destinations[(person + (next() < 0.5 ? 0 : 1 + (person % 4))) % destinations.length]!
      : destinations[Math.floor(next() * destinations.length)]!;
    // One event in 2,000 carries a file from the registry.
    const fileNumber = next() < 0.0005 ? Math.floor(next() * registrySize) : registrySize + i;
    const record = {
      '@timestamp': new Date(start + Math.floor((i / eventCount) * span)).toISOString(),
      event: { id: `bench-${i}`, action: 'file-uploaded', observer: 'Endpoint', shareType: [] },
      user: { email: `person${person}@example.com`, id: `p${person}`, deviceUid: `d${person}` },
      file: {
        name: `file-${fileNumber}.dat`,
        directory: `C:/Users/person${person}/Documents/`,
        category,
        sizeInBytes: Math.floor(next() * 5_000_000),
        hash: { md5: null, sha256: hashOf(fileNumber) },
      },
      source: { category: 'Device', name: `LAPTOP-${person}` },
      destination: { category: destinationCategory, name: destinationName, domains: [], tabs: [] },
      process: { executable: 'C:/Program Files/Browser/browser.exe', owner: `person${person}` },
      risk: { score: Math.floor(next() * 10), severity: 'LOW', indicators: [] },
    };
    await writeLine(out, `${JSON.stringify(record)}\n`);
    const row = [
      `email:${record.user.email}`,
      'incydr',
      record.event.id,
      record['@timestamp'],
      record.user.email,
      record.source.name,
      record.event.action,
      record.file.name,
      record.file.directory,
      record.file.hash.sha256,
      '\\N',
      record.file.category,
      record.file.sizeInBytes,
      record.destination.category,
      record.destination.name,
      '{}',
      record.process.executable,
      'low',
      record.risk.score,
      '\\N',
      destinationName === 'Box' ? 'corporate-box' : '\\N',
      receivedAt,
    ];
    await writeLine(copyOut, `${row.join('\t')}\n`);
  }
  await Promise.all([endStream(out), endStream(copyOut)]);
}

/**
 * Returns the CPU seconds used so far by the PostgreSQL processes of this machine, from /proc,
 * or null when none is visible (the server runs elsewhere, or there is no /proc). An exited
 * backend is not counted. Both measured runs therefore keep their connection open throughout.
 */
function serverCpuSeconds(): number | null {
  let ticks = 0;
  let found = false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    if (!stat.includes('(postgres)')) continue;
    // Fields after the command: state is field 3, utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    found = true;
  }
  // Linux reports these times in clock ticks of 1/100 s.
  return found ? ticks / 100 : null;
}

function cpuSince(start: number | null): number | null {
  const end = serverCpuSeconds();
  return start === null || end === null ? null : end - start;
}

async function bareParse(file: string): Promise<number> {
  const started = performance.now();
  let count = 0;
  for await (const line of createInterface({
    input: createReadStream(file, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  })) {
    if (line !== '') {
      JSON.parse(line);
      count++;
    }
  }
  return count / ((performance.now() - started) / 1000);
}

async function fullPath(file: string, copyFile: string) {
  await adminRun(`drop database if exists ${database} with (force)`);
  await adminRun(`create database ${database}`);
  const store = await openStore({ databaseUrl: databaseUrl(database), maxConnections: 2 });
  await store.migrate();
  const departments = ['Engineering', 'Finance', 'Sales', 'Legal', 'Support'];
  const rows = Array.from({ length: peopleCount }, (_, i) => ({
    email: `person${i}@example.com`,
    name: `Person ${i}`,
    department: departments[i % departments.length]!,
    externalIds: [`p${i}`],
  }));
  for (let i = 0; i < rows.length; i += 500)
    await store.db.insert(people).values(rows.slice(i, i + 500));
  const registry = Array.from({ length: registrySize }, (_, n) => ({
    sha256: hashOf(n),
    label: `Critical ${n}`,
    sensitivity: 'confidential' as const,
  }));
  await store.db.transaction((tx) => upsertCriticalFiles(tx, registry));

  const rules = parseFileRules(
    'suppress:\n  - name: corporate-box\n    destinations: [Box]\n',
    'bench',
  );
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss), 250);
  const serverStart = serverCpuSeconds();
  const nodeStart = process.cpuUsage();
  const started = performance.now();
  const summary = await ingestFileEvents(
    {
      db: store.db,
      logger: createLogger({ level: 'silent' }),
      rules,
      reopenWindowHours: 72,
      batchSize,
    },
    createReadStream(file, { encoding: 'utf8' }),
  );
  const seconds = (performance.now() - started) / 1000;
  const nodeUsage = process.cpuUsage(nodeStart);
  const serverCpu = cpuSince(serverStart);
  clearInterval(timer);
  await store.close();
  const bareCopy = await timeBareCopy(copyFile);
  await adminRun(`drop database if exists ${database} with (force)`);
  return {
    summary,
    seconds,
    samples,
    nodeCpu: (nodeUsage.user + nodeUsage.system) / 1e6,
    serverCpu,
    bareCopy,
  };
}

/** Empties `file_events` and copies the prepared rows into it in one COPY, as fast as it goes. */
async function timeBareCopy(copyFile: string) {
  const sql = postgres(databaseUrl(database), { max: 1, onnotice: () => {} });
  try {
    // Truncating keeps the daily partitions that the volume path created.
    await sql`truncate file_events`;
    const serverStart = serverCpuSeconds();
    const started = performance.now();
    const copy = await sql.unsafe(`COPY file_events (${copyColumns}) FROM STDIN`).writable();
    await pipeline(createReadStream(copyFile), copy);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, serverCpu: cpuSince(serverStart) };
  } finally {
    await sql.end();
  }
}

const file = path.join(tmpdir(), `casebridge-file-events-${process.pid}.ndjson`);
const copyFile = `${file}.copy`;
try {
  await writeEvents(file, copyFile);
  const megabytes = statSync(file).size / 1_048_576;
  const bare = await bareParse(file);
  const full = await fullPath(file, copyFile);
  const perSecond = eventCount / full.seconds;
  const mib = (bytes: number) => Math.round(bytes / 1_048_576);
  const perEvent = (seconds: number | null) =>
    seconds === null ? null : Number(((seconds * 1e6) / eventCount).toFixed(1));
  const tenth = Math.max(1, Math.floor(full.samples.length / 10));
  const result = {
    events: eventCount,
    fileMiB: Math.round(megabytes),
    people: peopleCount,
    days: dayCount,
    batch: batchSize,
    bareParsePerSecond: Math.round(bare),
    fullPathPerSecond: Math.round(perSecond),
    ratio: Number((perSecond / bare).toFixed(3)),
    target: 0.5,
    seconds: Number(full.seconds.toFixed(1)),
    // CPU time per event: this process (all its threads) and the server's processes.
    cpuMicrosecondsPerEvent: {
      node: perEvent(full.nodeCpu),
      server: perEvent(full.serverCpu),
    },
    // The same rows copied in one COPY with nothing else to do: what storing them costs.
    bareCopy: {
      rowsPerSecond: Math.round(eventCount / full.bareCopy.seconds),
      ratio: Number((eventCount / full.bareCopy.seconds / bare).toFixed(3)),
      serverCpuMicrosecondsPerRow: perEvent(full.bareCopy.serverCpu),
    },
    rssMiB: {
      min: mib(Math.min(...full.samples)),
      max: mib(Math.max(...full.samples)),
      // One sample per tenth of the run, to show whether memory grows with the events read.
      series: full.samples.filter((_, i) => i % tenth === 0).map(mib),
    },
    // The summary without its list of rejected records; rejectedCount counts them.
    counts: { ...full.summary, rejected: undefined },
  };
  console.log(JSON.stringify(result, null, 2));

  console.log(
    `file events: ${result.fullPathPerSecond} events/s through the volume path vs ${result.bareParsePerSecond} lines/s bare JSON.parse: ratio ${result.ratio} (target ≥ ${result.target}); RSS ${result.rssMiB.min}–${result.rssMiB.max} MiB`,
  );
  console.log(
    `bare COPY of the same rows: ${result.bareCopy.rowsPerSecond} rows/s, ratio ${result.bareCopy.ratio} of the bare parse rate`,
  );
} finally {
  rmSync(file, { force: true });
  rmSync(copyFile, { force: true });
}
