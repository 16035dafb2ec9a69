/**
 * Builds the Teams app package `manifests/teams/casebridge-teams.zip`: manifest.json with the
 * bot's client id in place of the placeholder ids, and the two icons, at the root of the zip as
 * Teams requires. Run it with `npm run teams:package` and TEAMS_CLIENT_ID set.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The id that manifest.json carries until a package is built. */
export const placeholderId = '00000000-0000-0000-0000-000000000000';

/** The name of the package, written next to manifest.json. */
export const packageName = 'casebridge-teams.zip';

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A failure the script reports with its message alone, without a stack trace. */
export class PackageError extends Error {}

interface Manifest {
  id: string;
  icons: { color: string; outline: string };
  bots?: Array<{ botId: string }>;
}

/**
 * Returns the manifest with `clientId` as the app id and as the id of each bot that still has the
 * placeholder. Throws PackageError when the client id is missing or not a GUID.
 */
export function fillManifest(manifest: Manifest, clientId: string | undefined): Manifest {
  if (clientId === undefined || clientId.trim() === '') {
    throw new PackageError(
      "TEAMS_CLIENT_ID is not set; set it to the Application (client) ID of the bot's Entra app registration and run npm run teams:package again.",
    );
  }
  const id = clientId.trim();
  if (!guid.test(id)) {
    throw new PackageError(
      `TEAMS_CLIENT_ID is not a GUID: "${id}"; copy the Application (client) ID from the bot's Entra app registration.`,
    );
  }

  const bots = (manifest.bots ?? []).map((bot) =>
    bot.botId === placeholderId ? { ...bot, botId: id } : bot,
  );
  const filled = { ...manifest, bots };
  if (manifest.id === placeholderId) filled.id = id;
  return filled;
}

/**
 * Writes the package of the manifest in `manifestDir` to `output` with the `zip` command, and
 * returns `output`. Throws PackageError when the client id is invalid or `zip` is not installed
 * or fails.
 */
export function buildTeamsPackage(options: {
  manifestDir: string;
  output: string;
  clientId: string | undefined;
}): string {
  const source = JSON.parse(
    readFileSync(path.join(options.manifestDir, 'manifest.json'), 'utf8'),
  ) as Manifest;
  const manifest = fillManifest(source, options.clientId);

  const staging = mkdtempSync(path.join(tmpdir(), 'casebridge-teams-package-'));
  try {
    writeFileSync(path.join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const icons = [manifest.icons.color, manifest.icons.outline];
    for (const icon of icons) {
      copyFileSync(path.join(options.manifestDir, icon), path.join(staging, icon));
    }

    // zip adds to an existing archive, so a stale package would keep files that were removed.
    rmSync(options.output, { force: true });
    const files = ['manifest.json', ...icons].map((name) => path.join(staging, name));
    const result = spawnSync('zip', ['-j', '-q', '-X', options.output, ...files], {
      encoding: 'utf8',
    });
    if (result.error !== undefined) {
      throw new PackageError(
        `the zip command could not be run (${result.error.message}); install zip (for example apt-get install zip) and run npm run teams:package again.`,
      );
    }
    if (result.status !== 0) {
      throw new PackageError(`zip failed with exit status ${result.status}: ${result.stderr}`);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return options.output;
}

function main(): void {
  const manifestDir = fileURLToPath(new URL('../manifests/teams/', import.meta.url));
  try {
    const output = buildTeamsPackage({
      manifestDir,
      output: path.join(manifestDir, packageName),
      clientId: process.env.TEAMS_CLIENT_ID,
    });
    process.stdout.write(`Teams app package written to ${output}\n`);
  } catch (error) {
    if (!(error instanceof PackageError)) throw error;
    process.stderr.write(`teams:package: ${error.message}\n`);
    process.exitCode = 1;
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(path.resolve(entry)).href) main();
