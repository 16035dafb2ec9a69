import type { Readable } from 'node:stream';
import { inArray, sql } from 'drizzle-orm';
import type { Db, Executor } from '../store/db.ts';
import { people } from '../store/schema.ts';
import { auditPersonChanges, classifyChange, type PersonChange } from './audit-person-changes.ts';
import { type CsvPerson, type RejectedRow, readPeopleCsv } from './csv-rows.ts';
import { changedFields, fieldsOf, type PersonFieldName, type PersonRow } from './person-fields.ts';

export interface CsvImportOptions {
  /** Computes and returns the changes without writing them. */
  dryRun: boolean;
  /** Deactivates active people whom the file does not list. Without it they are left as they are. */
  deactivateMissing: boolean;
  /** Shown in error messages: the file name, or "request body". */
  source: string;
  /** Called every 1,000 rows read and once at the end, with the rows read so far. */
  onProgress?: (rows: number) => void;
}

export interface CsvImportReport {
  dryRun: boolean;
  /** Data rows in the file, valid or not. */
  rows: number;
  added: Array<{ line: number; email: string }>;
  changed: Array<{ line: number; email: string; fields: PersonFieldName[] }>;
  /** People deactivated because the file does not list them (with deactivateMissing). */
  deactivated: Array<{ email: string }>;
  unchanged: number;
  /** Active people the file does not list, left as they are because deactivateMissing is off. */
  missing: number;
  rejected: RejectedRow[];
}

/** Rows per INSERT … ON CONFLICT: 15 columns each, well under PostgreSQL's 65,535 parameters. */
const UPSERT_CHUNK = 1_000;

/**
 * Imports people from a CSV stream: valid rows are compared with the directory in memory and only
 * the differences are written, all in one transaction with their audit events (cause `csv`).
 * Invalid rows are reported with their line numbers and do not stop the valid ones.
 */
export async function importPeopleCsv(
  db: Db,
  input: Readable,
  options: CsvImportOptions,
): Promise<CsvImportReport> {
  const csv = await readPeopleCsv(input, options.source, options.onProgress);

  const plan = async (tx: Executor) => {
    const existing = await tx.select().from(people);
    return planChanges(existing, csv.people, csv.rejected, options.deactivateMissing);
  };

  if (options.dryRun) {
    const { report } = await plan(db);
    return { ...report, rows: csv.rows, dryRun: true };
  }

  const report = await db.transaction(async (tx) => {
    // Writers wait until the import commits, so the comparison below stays true while it writes.
    await tx.execute(sql`lock table people in share row exclusive mode`);
    const planned = await plan(tx);
    await writeChanges(tx, planned);
    return planned.report;
  });
  return { ...report, rows: csv.rows, dryRun: false };
}

interface Plan {
  report: Omit<CsvImportReport, 'rows' | 'dryRun'>;
  upserts: Array<{ row: CsvPerson; existing: PersonRow | undefined; fields: PersonFieldName[] }>;
  deactivations: PersonRow[];
}

function planChanges(
  existing: PersonRow[],
  rows: CsvPerson[],
  rejected: RejectedRow[],
  deactivateMissing: boolean,
): Plan {
  const byEmail = new Map(existing.map((person) => [person.email, person]));
  const listed = new Set(rows.map((row) => row.fields.email));
  const plan: Plan = {
    report: { added: [], changed: [], deactivated: [], unchanged: 0, missing: 0, rejected },
    upserts: [],
    deactivations: [],
  };

  for (const row of rows) {
    const person = byEmail.get(row.fields.email);
    if (person === undefined) {
      plan.report.added.push({ line: row.line, email: row.fields.email });
      plan.upserts.push({
        row,
        existing: undefined,
        fields: Object.keys(row.fields) as PersonFieldName[],
      });
      continue;
    }
    const fields = changedFields(fieldsOf(person), row.fields);
    if (fields.length === 0) {
      plan.report.unchanged += 1;
      continue;
    }
    plan.report.changed.push({ line: row.line, email: row.fields.email, fields });
    plan.upserts.push({ row, existing: person, fields });
  }

  for (const person of existing) {
    if (listed.has(person.email) || !person.active) continue;
    if (deactivateMissing) {
      plan.report.deactivated.push({ email: person.email });
      plan.deactivations.push(person);
    } else {
      plan.report.missing += 1;
    }
  }
  return plan;
}

async function writeChanges(tx: Executor, plan: Plan): Promise<void> {
  const now = new Date();
  const changes: PersonChange[] = [];

  // The SET clause names only the file's columns, so a column the file lacks keeps its value.
  const ids = new Map<string, string>();
  for (let start = 0; start < plan.upserts.length; start += UPSERT_CHUNK) {
    const chunk = plan.upserts.slice(start, start + UPSERT_CHUNK);
    const columns = Object.keys(chunk[0]!.row.fields) as PersonFieldName[];
    const set = Object.fromEntries(
      columns.map((column) => [column, sql.raw(`excluded.${people[column].name}`)]),
    );
    const written = await tx
      .insert(people)
      .values(chunk.map((upsert) => ({ ...upsert.row.fields, updatedAt: now })))
      .onConflictDoUpdate({ target: people.email, set: { ...set, updatedAt: now } })
      .returning({ id: people.id, email: people.email });
    for (const row of written) ids.set(row.email, row.id);
  }
  for (const upsert of plan.upserts) {
    const active = upsert.row.fields.active ?? upsert.existing?.active ?? true;
    changes.push({
      personId: ids.get(upsert.row.fields.email)!,
      kind: classifyChange(upsert.existing === undefined, upsert.fields, active),
      fields: upsert.fields,
    });
  }

  for (let start = 0; start < plan.deactivations.length; start += UPSERT_CHUNK) {
    const chunk = plan.deactivations.slice(start, start + UPSERT_CHUNK);
    await tx
      .update(people)
      .set({ active: false, updatedAt: now })
      .where(
        inArray(
          people.id,
          chunk.map((person) => person.id),
        ),
      );
  }
  for (const person of plan.deactivations) {
    changes.push({ personId: person.id, kind: 'deactivated', fields: ['active'] });
  }

  await auditPersonChanges(tx, 'csv', changes, now);
}
