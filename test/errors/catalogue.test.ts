import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../src/errors.ts';
import { repoRoot } from '../support/builders.ts';

describe('error catalogue', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'errors.md'), 'utf8');

  it.each(Object.entries(errorCatalogue))('documents %s with its status', (code, entry) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
    expect(row).toContain(`| ${entry.status} |`);
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect(documented.sort()).toEqual(Object.keys(errorCatalogue).sort());
  });
});
