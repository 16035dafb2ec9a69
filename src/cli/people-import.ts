import { createReadStream, existsSync } from 'node:fs';
import { loadConfig } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import { callLocalApi } from '../http/local-api-client.ts';
import { bootstrap } from '../main.ts';
import { type CsvImportReport, importPeopleCsv } from '../people/csv-import.ts';
import { readDataDirLock } from '../store/data-dir-lock.ts';
import { EXIT_REJECTED, type Output } from './output.ts';

export interface PeopleImportOptions {
  dryRun: boolean;
  deactivateMissing: boolean;
}

/** Lines of each kind the text output lists; --json lists all. */
const TEXT_LIST_LIMIT = 50;

/**
 * Runs `people import`: on the database itself, or through the local API of the server that holds
 * the embedded database. Exits 1 when rows were rejected.
 */
export async function runPeopleImport(
  out: Output,
  file: string,
  options: PeopleImportOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (!existsSync(file)) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `CSV file ${file} was not found. Give the path of a readable file.`,
    );
  }

  const config = loadConfig(env);
  const owner =
    config.env.DATABASE_URL === undefined ? readDataDirLock(config.env.CASEBRIDGE_DATA_DIR) : null;
  let report: CsvImportReport;
  if (owner?.serverUrl != null) {
    report = await importRemotely(owner.serverUrl, config.env.CONSOLE_TOKEN, file, options);
  } else {
    const deps = await bootstrap(env);
    try {
      report = await importPeopleCsv(deps.store.db, createReadStream(file), {
        ...options,
        source: file,
        onProgress: progressLine(),
      });
    } finally {
      if (process.stderr.isTTY === true) process.stderr.write('\n');
      await deps.close();
    }
  }

  out.result(report, () => formatReport(file, report));
  return report.rejected.length > 0 ? EXIT_REJECTED : 0;
}

/** Returns a progress callback that rewrites one stderr line, or none when stderr is not a terminal. */
function progressLine(): ((rows: number) => void) | undefined {
  if (process.stderr.isTTY !== true) return undefined;
  let last = 0;
  return (rows) => {
    if (rows === last) return;
    last = rows;
    process.stderr.write(`\rread ${rows.toLocaleString('en-US')} rows`);
  };
}

async function importRemotely(
  serverUrl: string,
  token: string | undefined,
  file: string,
  options: PeopleImportOptions,
): Promise<CsvImportReport> {
  const query = new URLSearchParams({
    dryRun: String(options.dryRun),
    deactivateMissing: String(options.deactivateMissing),
  });
  return callLocalApi<CsvImportReport>(
    { url: serverUrl, token },
    {
      method: 'POST',
      path: `/api/people/import?${query}`,
      body: { contentType: 'text/csv', data: createReadStream(file) },
    },
  );
}

function formatReport(file: string, report: CsvImportReport): string {
  const lines = [
    `${report.dryRun ? 'Dry run of the import of' : 'Imported'} ${file}: ${report.rows} rows, added ${report.added.length}, changed ${report.changed.length}, deactivated ${report.deactivated.length}, unchanged ${report.unchanged}, rejected ${report.rejected.length}.`,
  ];
  if (report.missing > 0) {
    lines.push(
      `${report.missing} active people are not in the file and stay active; --deactivate-missing deactivates them.`,
    );
  }
  const section = <T>(items: T[], render: (item: T) => string) => {
    for (const item of items.slice(0, TEXT_LIST_LIMIT)) lines.push(render(item));
    if (items.length > TEXT_LIST_LIMIT)
      lines.push(`  … and ${items.length - TEXT_LIST_LIMIT} more (--json lists all)`);
  };
  section(report.added, (row) => `  added       line ${row.line}: ${row.email}`);
  section(
    report.changed,
    (row) => `  changed     line ${row.line}: ${row.email} (${row.fields.join(', ')})`,
  );
  section(report.deactivated, (row) => `  deactivated ${row.email}`);
  section(report.rejected, (row) => `  rejected    line ${row.line}: ${row.reason}`);
  if (report.dryRun) lines.push('Nothing was written (--dry-run).');
  return lines.join('\n');
}
