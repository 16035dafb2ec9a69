import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const manifestDir = new URL('../../../manifests/teams/', import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: the test reads the manifest as plain JSON.
const manifest: Record<string, any> = JSON.parse(
  readFileSync(new URL('manifest.json', manifestDir), 'utf8'),
);

/** Returns the width and height of a PNG from its IHDR chunk. */
function pngSize(name: string): { width: number; height: number } {
  const bytes = readFileSync(new URL(name, manifestDir));
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/**
 * Compiles Microsoft's JSON schema of the manifest version we use. The schemas ship in the npm
 * package @microsoft/app-manifest; its own validator is not used because version 1.1.2 requires
 * fs-extra without declaring it. The schemas are JSON Schema draft-04, hence ajv-draft-04.
 */
function compileManifestSchema(version: string) {
  const packageBuild = path.dirname(
    createRequire(import.meta.url).resolve('@microsoft/app-manifest'),
  );
  const schemaPath = path.join(
    packageBuild,
    'json-schemas',
    'teams',
    `v${version}`,
    'MicrosoftTeams.schema.json',
  );
  // Both packages are CommonJS modules that also export themselves as `default`, the one
  // binding that type-checks under NodeNext resolution.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('teams manifest', () => {
  it('validates against its JSON schema', () => {
    const validate = compileManifestSchema(manifest.manifestVersion);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('schema rejects an unknown bot scope', () => {
    const validate = compileManifestSchema(manifest.manifestVersion);
    const broken = { ...manifest, bots: [{ ...manifest.bots[0], scopes: ['everywhere'] }] };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/bots/0/scopes/0');
  });

  it('names schema and version', () => {
    expect(manifest.manifestVersion).toBe('1.19');
    expect(manifest.$schema).toContain('/v1.19/MicrosoftTeams.schema.json');
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('uses GUIDs for app and bot', () => {
    expect(manifest.id).toMatch(guid);
    expect(manifest.bots[0].botId).toMatch(guid);
  });

  it('installs the bot in teams and chats', () => {
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0].scopes).toEqual(['team', 'personal']);
    expect(manifest.bots[0].isNotificationOnly).toBe(false);
  });

  it('lists the bot commands per scope', () => {
    const lists = manifest.bots[0].commandLists as Array<{
      scopes: string[];
      commands: Array<{ title: string; description: string }>;
    }>;

    expect(lists.map((list) => list.scopes)).toEqual([['personal'], ['team']]);
    for (const list of lists) {
      expect(list.commands.map((command) => command.title)).toEqual([
        'help',
        'show',
        'mine',
        'note',
      ]);
      for (const command of list.commands) {
        expect(command.title.length).toBeLessThanOrEqual(32);
        expect(command.description.length).toBeLessThanOrEqual(128);
      }
    }
  });

  it('keeps texts within limits', () => {
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.name.full.length).toBeLessThanOrEqual(100);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
  });

  it('ships icons of the required sizes', () => {
    expect(pngSize(manifest.icons.color)).toEqual({ width: 192, height: 192 });
    expect(pngSize(manifest.icons.outline)).toEqual({ width: 32, height: 32 });
  });
});
