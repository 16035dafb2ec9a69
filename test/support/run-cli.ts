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
