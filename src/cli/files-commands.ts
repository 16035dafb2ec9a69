import { accessSync, constants, createReadStream, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { IdentityAccess } from '../cases/case-service.ts';
import { CasebridgeError } from '../errors.ts';
import type { LoadedFileRules } from '../files/file-rules.ts';
import type { FilesService, RegistryImportReport } from '../files/files-service.ts';
import { type FileIngestSummary, MAX_KEPT_REJECTIONS } from '../files/ingest-file-events.ts';
import type { PseudonymousSighting } from '../files/pseudonymise-sightings.ts';
import { testFileRules } from '../files/test-file-rules.ts';
import { EXIT_REJECTED, type Output } from './output.ts';

/** Runs `ingest --feed incydr-file-events <file|->`, streaming the input. */
export async function runFileEventIngest(
  service: FilesService,
  out: Output,
  source: string,
  stdin: Readable = process.stdin,
): Promise<number> {
  const summary = await service.ingestEvents(openInput(source, stdin));
  out.result(summary, () => formatFileIngestSummary(summary));
  return summary.rejectedCount > 0 ? EXIT_REJECTED : 0;
}

export function formatFileIngestSummary(summary: FileIngestSummary): string {
  const lines = [
    `accepted ${summary.accepted} (duplicates ${summary.duplicates}, suppressed ${summary.suppressed}, critical files ${summary.matchedCritical}), rejected ${summary.rejectedCount}`,
    `cases opened ${summary.casesOpened}, updated ${summary.casesUpdated}, held back by the throttle ${summary.throttled}`,
  ];
  for (const rejected of summary.rejected.slice(0, MAX_LISTED_REJECTIONS))
    lines.push(`  record ${rejected.index}: ${rejected.reason}`);
  const unlisted = summary.rejectedCount - MAX_LISTED_REJECTIONS;
  if (unlisted > 0) {
    const listed = Math.min(summary.rejectedCount, MAX_KEPT_REJECTIONS).toLocaleString('en');
    lines.push(`  … and ${unlisted} more; --json lists the first ${listed} rejected records`);
  }
  return lines.join('\n');
}

/** Rejected records the text summary lists; `--json` lists all that the summary keeps. */
const MAX_LISTED_REJECTIONS = 20;

function openInput(source: string, stdin: Readable): Readable {
  if (source === '-') return stdin;
  try {
    // Checked first, so that a missing file is a usage error before any work starts.
    accessSync(source, constants.R_OK);
  } catch (error) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Could not read ${source}: ${(error as Error).message}. Give a readable file, or - for standard input.`,
    );
  }
  return createReadStream(source, { encoding: 'utf8' });
}

export interface FilesAddOptions {
  sha256?: string;
  md5?: string;
  label?: string;
  owner?: string;
  sensitivity?: string;
}

/** Runs `files add`. */
export async function runFilesAdd(
  service: FilesService,
  out: Output,
  options: FilesAddOptions,
): Promise<number> {
  const row = await service.add(
    Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
  );
  out.result(row, () => `Registered ${row.label} (${row.sensitivity}): ${row.sha256 ?? row.md5}`);
  return 0;
}

/** Runs `files list`. */
export async function runFilesList(service: FilesService, out: Output): Promise<number> {
  const rows = await service.list();
  out.result(rows, () =>
    rows.length === 0
      ? 'The critical-file registry is empty.'
      : rows
          .map(
            (row) =>
              `${(row.sha256 ?? row.md5)!}  ${row.sensitivity.padEnd(12)} ${row.label}${row.owner === null ? '' : ` (owner ${row.owner})`}`,
          )
          .join('\n'),
  );
  return 0;
}

/** Runs `files import <csv>`: every row is validated first, then all are stored in one transaction. */
export async function runFilesImport(
  service: FilesService,
  out: Output,
  file: string,
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Could not read ${file}: ${(error as Error).message}. Give a readable CSV file, or - for standard input.`,
    );
  }
  const report = await service.importCsv(text);
  out.result(report, () => describeRegistryImport(report));
  return 0;
}

/** Formats the import report: the CSV rows stored, and how many added or updated an entry. */
export function describeRegistryImport(report: RegistryImportReport): string {
  const entries = report.imported === 1 ? 'entry' : 'entries';
  return `Imported ${report.imported} registry ${entries}: ${report.added} added, ${report.updated} updated.`;
}

/**
 * Runs `files where <hash>`: every sighting of the file, newest first, with each subject as their
 * pseudonym, and with `access` the identities that person may see, audited.
 */
export async function runFilesWhere(
  service: FilesService,
  out: Output,
  hash: string,
  access?: IdentityAccess,
): Promise<number> {
  const found = await service.where(hash, access);
  out.result(found, () => {
    const lines: string[] = [];
    if (found.critical !== null) {
      lines.push(`critical file: ${found.critical.label} (${found.critical.sensitivity})`);
    }
    if (found.sightings.length === 0) lines.push(`No sightings of ${found.hash}.`);
    for (const sighting of found.sightings) {
      const suppressed =
        sighting.suppressedBy === null ? '' : `  (suppressed by ${sighting.suppressedBy})`;
      lines.push(
        `${sighting.observedAt}  ${describeSightingSubject(sighting)}  device ${sighting.device ?? '-'}  to ${sighting.destination ?? '-'}  file ${sighting.fileName ?? '-'}  ${sighting.kind} ${sighting.source}:${sighting.externalId}${suppressed}`,
      );
    }
    if (found.truncated) lines.push('(more sightings exist; only the newest are listed)');
    return lines.join('\n');
  });
  return 0;
}

/** Names a sighting's subject: the pseudonym, and the identity when it was revealed. */
function describeSightingSubject(sighting: PseudonymousSighting): string {
  if (sighting.identity == null) return sighting.subject;
  const identity = [sighting.identity.name, sighting.identity.user].filter(Boolean).join(' ');
  return `${identity} (pseudonym ${sighting.subject})`;
}

/** Runs `rules test <file> [--rules rules.yaml]`: what the rule set would suppress or flag. */
export async function runRulesTest(
  out: Output,
  loaded: LoadedFileRules,
  source: string,
  stdin: Readable = process.stdin,
): Promise<number> {
  const report = await testFileRules(loaded.rules, openInput(source, stdin));
  const document = { rules: loaded.path, sha256: loaded.sha256, ...report };
  out.result(document, () => {
    const lines = [
      `rules ${loaded.path ?? '(built-in defaults)'} sha256 ${loaded.sha256}`,
      `suppressed ${report.suppressed}, flagged ${report.flagged}, passed ${report.passed}, rejected ${report.rejected}`,
    ];
    for (const verdict of report.verdicts) {
      if (verdict.verdict === 'pass') continue;
      const who = verdict.user === null ? '' : ` ${verdict.user}`;
      lines.push(
        `  record ${verdict.index}${verdict.eventId === null ? '' : ` ${verdict.eventId}`}${who}: ${verdict.verdict} (${verdict.rule})`,
      );
    }
    return lines.join('\n');
  });
  // As with ingest, exit code 1 means that some records could not be read.
  return report.rejected > 0 ? 1 : 0;
}
