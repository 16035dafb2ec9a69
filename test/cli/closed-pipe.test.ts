import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../support/builders.ts';
import { cliBin } from '../support/run-cli.ts';

const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-pipe-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

it('ends quietly when the reader closes the pipe', async () => {
  // Enough output to fill the pipe many times over, so that writing goes on after it closes.
  const events = Array.from(
    { length: 5_000 },
    (_, n) =>
      `{"@timestamp":"2026-05-01T10:00:00Z","event":{"id":"pipe-${n}"},"user":{"email":"pipe@example.org"},"risk":{"severity":"LOW"}}`,
  );
  const file = path.join(folder, 'events.ndjson');
  writeFileSync(file, `${events.join('\n')}\n`);

  const child = spawn(process.execPath, [cliBin, 'rules', 'test', file, '--json'], {
    cwd: repoRoot,
    env: { ...process.env, CASEBRIDGE_DATA_DIR: path.join(folder, 'data') },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  // Read the first chunk, then close the pipe, as `| head` does.
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

  expect(stderr).not.toMatch(/EPIPE|at .*\.ts:\d+/);
  expect(code).toBe(0);
});
