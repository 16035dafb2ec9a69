import type { Readable } from 'node:stream';
import { type CsvError, parse } from 'csv-parse';
import { CasebridgeError } from '../errors.ts';
import { checkPersonFields, type PersonFieldName, type PersonFields } from './person-fields.ts';

/** The documented CSV columns and the person field each one sets. */
export const csvColumns = {
  email: 'email',
  name: 'name',
  manager_email: 'managerEmail',
  department: 'department',
  employee_number: 'employeeNumber',
  locale: 'locale',
  country: 'country',
  time_zone: 'timeZone',
  hire_date: 'hireDate',
  notice_date: 'noticeDate',
  last_working_day: 'lastWorkingDay',
  active: 'active',
  source_id: 'sourceId',
  ids: 'externalIds',
} as const satisfies Record<string, PersonFieldName>;

type CsvColumn = keyof typeof csvColumns;

/** A valid data row: the fields of the columns the file has, and its line number. */
export interface CsvPerson {
  line: number;
  fields: Partial<PersonFields> & { email: string; name: string };
}

export interface RejectedRow {
  line: number;
  /** Names the column and the expected form; never the e-mail address. */
  reason: string;
}

export interface CsvRows {
  /** The person fields the file sets: those of its columns. */
  columns: PersonFieldName[];
  people: CsvPerson[];
  rejected: RejectedRow[];
  /** Data rows read, valid or not. */
  rows: number;
}

const PROGRESS_EVERY_ROWS = 1_000;

/**
 * Reads a people CSV (header row first) as a stream and validates each row. Invalid rows are
 * collected with their line numbers; an unknown or missing header column fails the whole file,
 * because every row would be read wrongly.
 */
export async function readPeopleCsv(
  input: Readable,
  source: string,
  onProgress?: (rows: number) => void,
): Promise<CsvRows> {
  const rejected: RejectedRow[] = [];
  const parser = input.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => checkHeader(header, source),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      skip_records_with_error: true,
      on_skip: (error: CsvError | undefined) => {
        const line = Number((error as { lines?: unknown } | undefined)?.lines ?? 0);
        rejected.push({ line, reason: `not valid CSV (${error?.code ?? 'parse error'})` });
        return undefined;
      },
    }),
  );

  const people: CsvPerson[] = [];
  const firstLineOf = new Map<string, number>();
  let columns: PersonFieldName[] = [];
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string | undefined>;
      info: { lines: number };
    }>) {
      rows += 1;
      if (rows === 1)
        columns = Object.keys(record).map((column) => csvColumns[column as CsvColumn]);
      if (onProgress !== undefined && rows % PROGRESS_EVERY_ROWS === 0) onProgress(rows);

      const row = toPerson(record);
      if (typeof row === 'string') {
        rejected.push({ line: info.lines, reason: row });
        continue;
      }
      const first = firstLineOf.get(row.email);
      if (first !== undefined) {
        rejected.push({ line: info.lines, reason: `email repeats the row on line ${first}` });
        continue;
      }
      firstLineOf.set(row.email, info.lines);
      people.push({ line: info.lines, fields: row });
    }
  } catch (error) {
    if (error instanceof CasebridgeError) throw error;
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Could not read ${source} as CSV: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  onProgress?.(rows);
  rejected.sort((left, right) => left.line - right.line);
  return { columns, people, rejected, rows };
}

function checkHeader(header: string[], source: string): string[] {
  const names = header.map((column) => column.trim().toLowerCase());
  const documented = Object.keys(csvColumns);
  const unknown = names.filter((name) => !documented.includes(name));
  if (unknown.length > 0) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `${source} has unknown column(s) ${unknown.join(', ')}. Use the documented columns: ${documented.join(', ')}.`,
    );
  }
  const missing = ['email', 'name'].filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `${source} has no ${missing.join(' or ')} column. The first row must name the columns, with email and name among them.`,
    );
  }
  return names;
}

/** Maps one record to person fields, or returns the reasons it is invalid. */
function toPerson(record: Record<string, string | undefined>): CsvPerson['fields'] | string {
  const fields: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [column, raw] of Object.entries(record)) {
    const field = csvColumns[column as CsvColumn];
    const value = raw === undefined || raw === '' ? null : raw;
    switch (field) {
      case 'email':
      case 'managerEmail':
        fields[field] = value?.toLowerCase() ?? null;
        break;
      case 'country':
        fields[field] = value?.toUpperCase() ?? null;
        break;
      case 'active': {
        const active = parseActiveCell(value);
        if (active === undefined) problems.push('active must be true or false (or yes/no, 1/0)');
        fields[field] = active;
        break;
      }
      case 'externalIds':
        fields[field] = (value ?? '')
          .split(';')
          .map((id) => id.trim().toLowerCase())
          .filter((id) => id !== '');
        break;
      default:
        fields[field] = value;
    }
  }
  if (fields.email === null) problems.push('email is missing');
  if (fields.name === null) problems.push('name is missing');
  if (problems.length === 0) problems.push(...checkPersonFields(fields as Partial<PersonFields>));
  if (problems.length > 0) return problems.join('; ');
  return fields as CsvPerson['fields'];
}

/** Reads an `active` cell; an empty cell means active. Returns undefined for any other word. */
function parseActiveCell(value: string | null): boolean | undefined {
  if (value === null) return true;
  const lower = value.toLowerCase();
  if (['true', 'yes', '1'].includes(lower)) return true;
  if (['false', 'no', '0'].includes(lower)) return false;
  return undefined;
}
