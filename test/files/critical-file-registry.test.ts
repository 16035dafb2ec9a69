import { describe, expect, it } from 'vitest';
import {
  buildRegistryIndex,
  parseCriticalFile,
  parseCriticalFileCsv,
} from '../../src/files/critical-file-registry.ts';
import type { CriticalFileRow } from '../../src/store/schema-files.ts';

const sha256 = 'AB'.repeat(32);
const md5 = 'cd'.repeat(16);

describe('critical file registry', () => {
  it('reads a CSV in any column order', () => {
    const entries = parseCriticalFileCsv(
      `\uFEFFLabel,Sensitivity,SHA256,md5,owner\n"Plans, 2027",restricted,${sha256},,Strategy\nKeys,internal,,${md5},\n`,
    );
    expect(entries).toEqual([
      {
        label: 'Plans, 2027',
        sensitivity: 'restricted',
        sha256: sha256.toLowerCase(),
        owner: 'Strategy',
      },
      { label: 'Keys', sensitivity: 'internal', md5 },
    ]);
  });

  it('lists every bad row by line and imports none', () => {
    const attempt = () =>
      parseCriticalFileCsv(
        `sha256,label,sensitivity\nxyz,Broken,internal\n${sha256},Fine,internal\n,No hash,secret\n`,
      );
    expect(attempt).toThrow(/2 of 3 registry rows are invalid/);
    expect(attempt).toThrow(/line 2 \(sha256 "xyz": must be 64 hexadecimal digits/);
    expect(attempt).toThrow(/line 4 \(sensitivity "secret": /);
  });

  it('rejects an empty CSV', () => {
    expect(() => parseCriticalFileCsv('')).toThrow(/has no rows/);
    expect(() => parseCriticalFileCsv('sha256,label,sensitivity\n')).toThrow(/has no rows/);
  });

  it('rejects unknown columns', () => {
    expect(() =>
      parseCriticalFileCsv(`sha256,label,sensitivity,colour\n${sha256},A,internal,red\n`),
    ).toThrow(/unknown columns: colour/);
  });

  it('rejects a hash on two rows', () => {
    expect(() =>
      parseCriticalFileCsv(
        `sha256,md5,label,sensitivity\n${sha256},,A,internal\n${sha256.toLowerCase()},${md5},B,internal\n`,
      ),
    ).toThrow(/Line 3 repeats (ab){32} from line 2/);
  });

  it('says which field is missing', () => {
    expect(() => parseCriticalFile({ sha256, sensitivity: 'internal' })).toThrow(
      /\(label: missing\)/,
    );
  });

  it('requires a hash', () => {
    expect(() => parseCriticalFile({ label: 'x', sensitivity: 'internal' })).toThrow(
      /give sha256, md5 or both/,
    );
  });

  it('matches by SHA-256 first, then MD5', () => {
    const row = (id: string, hashes: Partial<CriticalFileRow>): CriticalFileRow => ({
      id,
      sha256: null,
      md5: null,
      label: id,
      owner: null,
      sensitivity: 'internal',
      createdAt: new Date(),
      updatedAt: new Date(),
      ...hashes,
    });
    const index = buildRegistryIndex([row('a', { sha256: 'a'.repeat(64) }), row('b', { md5 })]);
    expect(index.match('a'.repeat(64), null)?.id).toBe('a');
    expect(index.match('f'.repeat(64), md5)?.id).toBe('b');
    expect(index.match(null, null)).toBeNull();
  });
});
