import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildTeamsPackage,
  fillManifest,
  PackageError,
  placeholderId,
} from '../../../scripts/teams-package.ts';

const manifestDir = fileURLToPath(new URL('../../../manifests/teams/', import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(manifestDir, 'manifest.json'), 'utf8'));
const clientId = '6aebbad0-e5a5-424a-834a-20fb051f3c1a';

/** True when the zip and unzip commands are installed; the package test needs both. */
const zipInstalled = ['zip', 'unzip'].every(
  (command) => spawnSync(command, ['-h'], { stdio: 'ignore' }).error === undefined,
);

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (caught) {
    return caught;
  }
  return null;
}

describe('teams package', () => {
  it('puts the client id in place', () => {
    const filled = fillManifest(manifest, clientId);

    expect(manifest.id).toBe(placeholderId);
    expect(filled.id).toBe(clientId);
    expect(filled.bots?.map((bot) => bot.botId)).toEqual([clientId]);
    expect(filled.icons).toEqual(manifest.icons);
  });

  it.each([
    ['unset', undefined],
    ['empty', ' '],
    ['not a GUID', 'casebridge-bot'],
  ])('rejects a client id that is %s', (_name, value) => {
    expect(errorOf(() => fillManifest(manifest, value))).toBeInstanceOf(PackageError);
  });

  it.skipIf(!zipInstalled)('zips manifest and icons', () => {
    const output = path.join(mkdtempSync(path.join(tmpdir(), 'casebridge-zip-')), 'app.zip');

    buildTeamsPackage({ manifestDir, output, clientId });

    const listing = spawnSync('unzip', ['-Z1', output], { encoding: 'utf8' });
    expect(listing.stdout.trim().split('\n').sort()).toEqual(
      ['color.png', 'manifest.json', 'outline.png'].sort(),
    );
    const packed = spawnSync('unzip', ['-p', output, 'manifest.json'], { encoding: 'utf8' });
    const packedManifest = JSON.parse(packed.stdout);
    expect(packedManifest.id).toBe(clientId);
    expect(packedManifest.bots[0].botId).toBe(clientId);
    expect(packedManifest.bots[0].commandLists).toEqual(manifest.bots[0].commandLists);
  });

  it('writes nothing without a client id', () => {
    const output = path.join(mkdtempSync(path.join(tmpdir(), 'casebridge-zip-')), 'app.zip');

    const error = errorOf(() => buildTeamsPackage({ manifestDir, output, clientId: undefined }));

    expect(error).toBeInstanceOf(PackageError);
    expect(existsSync(output)).toBe(false);
  });
});
