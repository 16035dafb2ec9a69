import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { repoRoot } from '../../support/builders.ts';
import { databaseUrlFor } from '../../support/global-setup.ts';

const bin = path.join(repoRoot, 'bin', 'casebridge.js');
const directoryFile = path.join(repoRoot, 'examples', 'directory.yaml');

/** The real server the fault tests create their databases on; unset means the tests are skipped. */
export const serverUrl = process.env.TEST_DATABASE_URL ?? '';

/** Slack channels of the fault tests' configuration. */
export const channels = { security: 'C0FAULTSEC', hr: 'C0FAULTHR', legal: 'C0FAULTLEG' } as const;

let databaseCount = 0;

export interface FaultDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database `cb_fault_<pid>_<n>` on `server`; `drop` removes it and its connections. */
export async function createFaultDatabase(server = serverUrl): Promise<FaultDatabase> {
  databaseCount++;
  const name = `cb_fault_${process.pid}_${databaseCount}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrlFor(server, name),
    async drop() {
      const again = postgres(server, { max: 1, onnotice: () => {} });
      try {
        await again.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

/**
 * Writes a configuration for the fault tests in a new temporary folder: the example directory
 * and roles, and Slack channels for the three audiences. Its calendar is open around the clock,
 * so that due timers fire at whatever time the tests run.
 */
export function writeFaultConfig(): { configPath: string; folder: string; remove(): void } {
  const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-faults-'));
  const configPath = path.join(folder, 'casebridge.yaml');
  const yaml = [
    'directory:',
    `  file: ${JSON.stringify(directoryFile)}`,
    'roles:',
    '  security: [ann.analyst@example.com, ben.analyst@example.com]',
    '  hr: [hana.hr@example.com, hugo.hr@example.com]',
    '  legal: [leo.legal@example.com, lia.legal@example.com]',
    'routing:',
    `  security: { slack: ${channels.security} }`,
    `  hr: { slack: ${channels.hr} }`,
    `  legal: { slack: ${channels.legal} }`,
    'policy:',
    '  timeZone: UTC',
    '  workingDays: [mon, tue, wed, thu, fri, sat, sun]',
    "  workingHours: { start: '00:00', end: '24:00' }",
    '',
  ].join('\n');
  writeFileSync(configPath, yaml);
  return {
    configPath,
    folder,
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}

/** A `casebridge serve` child process. */
export interface BotProcess {
  child: ChildProcess;
  /** The base URL the server printed, once it serves. */
  url: string;
  /** Everything the process wrote to stderr (its pino log). */
  stderr(): string;
  /** Resolves with the exit code or signal when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGKILL: no shutdown hook runs, open transactions are cut off. */
  kill9(): Promise<void>;
  /** Sends SIGTERM and waits for the graceful stop. */
  stop(): Promise<void>;
}

export interface SpawnedProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node bin/casebridge.js <args>` with exactly the environment given (plus PATH). */
export function spawnCasebridge(args: string[], env: Record<string, string>): SpawnedProcess {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Starts `casebridge serve --json` on a free port and waits until it prints its URL. Fails with
 * the process's log when it exits first or does not serve within `timeoutMs`.
 */
export async function startBot(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<BotProcess> {
  const spawned = spawnCasebridge(['serve', '--json'], { PORT: '0', LOG_LEVEL: 'info', ...env });
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void spawned.exited.then((value) => {
    exit = value;
  });
  while (url === undefined) {
    const match = /"url":\s*"(http:\/\/[^"]+)"/.exec(spawned.stdout());
    if (match?.[1] !== undefined) url = match[1];
    else if (exit !== undefined) {
      throw new Error(
        `casebridge serve exited (${JSON.stringify(exit)}) before serving:\n${spawned.stdout()}\n${spawned.stderr()}`,
      );
    } else if (Date.now() > deadline) {
      spawned.child.kill('SIGKILL');
      throw new Error(
        `casebridge serve did not serve within ${timeoutMs} ms:\n${spawned.stderr()}`,
      );
    } else await sleep(50);
  }
  return {
    child: spawned.child,
    url,
    stderr: spawned.stderr,
    exited: spawned.exited,
    async kill9() {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) {
        spawned.child.kill('SIGKILL');
      }
      await spawned.exited;
    },
    async stop() {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) {
        spawned.child.kill('SIGTERM');
      }
      await spawned.exited;
    },
  };
}

/** Log records of a pino log at level error (50) or above. */
export function errorLines(log: string): Record<string, unknown>[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => typeof record.level === 'number' && record.level >= 50);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined or false, or fails after `ms`. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(intervalMs);
  }
}
