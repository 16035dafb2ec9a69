import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './builders.ts';

/** The CLI entry point, as `npx casebridge` runs it. */
export const cliBin = path.join(repoRoot, 'bin', 'casebridge.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command in a child process with the given environment and standard input. */
export function runCli(env: NodeJS.ProcessEnv, args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], { env, cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A `casebridge serve` child process that keeps an embedded data directory open, as the demo does. */
export interface ServedCli {
  /** The environment of the server; CLI commands run with it go through the server. */
  env: NodeJS.ProcessEnv;
  /** Stops the server, once; a later call does nothing. */
  stop(): Promise<void>;
}

/**
 * Starts `casebridge serve` on `dataDir` with the example configuration and a free port, and
 * resolves once it listens.
 */
export async function startServedCli(dataDir: string, configPath: string): Promise<ServedCli> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    CASEBRIDGE_DATA_DIR: dataDir,
    CASEBRIDGE_CONFIG: configPath,
    PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const server = spawn(process.execPath, [cliBin, 'serve', '--json'], { env, cwd: repoRoot });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    server.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes('"url"')) resolve();
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  let stopped: Promise<void> | null = null;
  return {
    env,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      });
      return stopped;
    },
  };
}
