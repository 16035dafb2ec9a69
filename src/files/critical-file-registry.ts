import { parse as parseCsv } from 'csv-parse/sync';
import { asc, sql } from 'drizzle-orm';
import { z } from 'zod';
import { CasebridgeError } from '../errors.ts';
import type { Executor } from '../store/db.ts';
import { type CriticalFileRow, criticalFiles } from '../store/schema-files.ts';

export const sensitivities = ['internal', 'confidential', 'restricted'] as const;
export type Sensitivity = (typeof sensitivities)[number];

const hexHash = (length: number, name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .regex(new RegExp(`^[0-9a-f]{${length}}$`), `must be ${length} hexadecimal digits (${name})`);

/** One registry entry as the CLI, CSV import and tests give it. */
export const criticalFileInputSchema = z
  .object({
    sha256: hexHash(64, 'SHA-256').optional(),
    md5: hexHash(32, 'MD5').optional(),
    label: z.string().trim().min(1, 'must not be empty'),
    owner: z.string().trim().min(1).optional(),
    sensitivity: z.enum(sensitivities),
  })
  .refine((entry) => entry.sha256 !== undefined || entry.md5 !== undefined, {
    error: 'no hash; give sha256, md5 or both',
  });

export type CriticalFileInput = z.infer<typeof criticalFileInputSchema>;

/** The columns a registry CSV may have. */
const csvColumns = new Set(['sha256', 'md5', 'label', 'owner', 'sensitivity']);

/** Validates an entry; a failure names the field and the value. */
export function parseCriticalFile(value: unknown, where = 'entry'): CriticalFileInput {
  const result = criticalFileInputSchema.safeParse(value);
  if (result.success) return result.data;
  const input = (value ?? {}) as Record<string, unknown>;
  const problems = result.error.issues
    .map((issue) => {
      const field = issue.path.join('.') || 'entry';
      const current = issue.path.length === 1 ? input[String(issue.path[0])] : undefined;
      if (current === undefined && issue.path.length === 1 && issue.code === 'invalid_type')
        return `${field}: missing`;
      const quoted = typeof current === 'string' ? ` ${JSON.stringify(current.slice(0, 80))}` : '';
      return `${field}${quoted}: ${issue.message}`;
    })
    .join('; ');
  throw new CasebridgeError(
    'USAGE_INVALID',
    `Invalid critical file ${where} (${problems}). Fix the value and try again.`,
  );
}

/** Adds or updates each entry in turn, inside the caller's transaction (see upsertCriticalFile). */
export async function upsertCriticalFiles(
  tx: Executor,
  entries: readonly CriticalFileInput[],
): Promise<CriticalFileRow[]> {
  const rows: CriticalFileRow[] = [];
  for (const entry of entries) rows.push((await upsertCriticalFile(tx, entry)).row);
  return rows;
}

/**
 * Adds an entry or updates the one that lists the entry's SHA-256 or MD5, inside the caller's
 * transaction. `created` is true when the entry was added. An update keeps the stored hash and owner that
 * the entry leaves out. An entry whose two hashes belong to two different listed files, or whose
 * hash is listed with another hash of the same kind, is an error that names both.
 */
export async function upsertCriticalFile(
  tx: Executor,
  entry: CriticalFileInput,
): Promise<{ row: CriticalFileRow; created: boolean }> {
  const matches = await tx
    .select()
    .from(criticalFiles)
    .where(
      sql`${criticalFiles.sha256} = ${entry.sha256 ?? null} or ${criticalFiles.md5} = ${entry.md5 ?? null}`,
    );
  const existing = matches[0];
  const conflict =
    matches.length > 1 ||
    (existing !== undefined &&
      ((entry.sha256 !== undefined &&
        existing.sha256 !== null &&
        existing.sha256 !== entry.sha256) ||
        (entry.md5 !== undefined && existing.md5 !== null && existing.md5 !== entry.md5)));
  if (conflict) {
    const listed = matches
      .map((row) => `"${row.label}" (sha256 ${row.sha256 ?? 'none'}, md5 ${row.md5 ?? 'none'})`)
      .join(' and ');
    throw new CasebridgeError(
      'USAGE_INVALID',
      `The entry "${entry.label}" (sha256 ${entry.sha256 ?? 'none'}, md5 ${entry.md5 ?? 'none'}) clashes with the registry: ${listed}. One file has one SHA-256 and one MD5; fix the hashes, or give only the one that is right.`,
    );
  }
  if (existing === undefined) {
    const [inserted] = await tx
      .insert(criticalFiles)
      .values({
        sha256: entry.sha256 ?? null,
        md5: entry.md5 ?? null,
        label: entry.label,
        owner: entry.owner ?? null,
        sensitivity: entry.sensitivity,
      })
      .returning();
    return { row: inserted!, created: true };
  }

  const [updated] = await tx
    .update(criticalFiles)
    .set({
      sha256: entry.sha256 ?? existing.sha256,
      md5: entry.md5 ?? existing.md5,
      label: entry.label,
      owner: entry.owner ?? existing.owner,
      sensitivity: entry.sensitivity,
      updatedAt: new Date(),
    })
    .where(sql`${criticalFiles.id} = ${existing.id}`)
    .returning();
  return { row: updated!, created: false };
}

/** Lists the registry ordered by label. */
export async function listCriticalFiles(db: Executor): Promise<CriticalFileRow[]> {
  return db.select().from(criticalFiles).orderBy(asc(criticalFiles.label), asc(criticalFiles.id));
}

/**
 * Parses a registry CSV with a header row naming the columns `sha256`, `md5`, `label`, `owner`
 * and `sensitivity` (any order; `owner` and one of the hashes may be empty). Every row is checked
 * before anything is stored, and the error lists each bad row by its line number. A file that
 * cannot be imported is a PAYLOAD_INVALID error, as bad input rather than a bad command.
 */
export function parseCriticalFileCsv(text: string): CriticalFileInput[] {
  let records: Array<Record<string, string>>;
  try {
    records = parseCsv(text, {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
    });
  } catch (error) {
    throw new CasebridgeError(
      'PAYLOAD_INVALID',
      `The registry CSV could not be read: ${(error as Error).message}. Check that the header names sha256, md5, label, owner and sensitivity, and that every row has as many fields as the header.`,
    );
  }

  if (records.length === 0) {
    throw new CasebridgeError(
      'PAYLOAD_INVALID',
      'The registry CSV has no rows. Give a header sha256,md5,label,owner,sensitivity and one row per file.',
    );
  }
  const unknown = Object.keys(records[0]!).filter((name) => !csvColumns.has(name));
  if (unknown.length > 0) {
    throw new CasebridgeError(
      'PAYLOAD_INVALID',
      `The registry CSV has unknown columns: ${unknown.join(', ')}. Use only sha256, md5, label, owner and sensitivity.`,
    );
  }

  const entries: CriticalFileInput[] = [];
  const problems: string[] = [];
  const lineOf = new Map<string, number>();
  records.forEach((record, position) => {
    const value = Object.fromEntries(
      Object.entries(record).filter(([, field]) => field !== undefined && field !== ''),
    );
    // Line 1 is the header.
    const line = position + 2;
    try {
      const entry = parseCriticalFile(value, `on line ${line}`);
      for (const hash of [entry.sha256, entry.md5]) {
        if (hash === undefined) continue;
        const first = lineOf.get(hash);
        if (first !== undefined) problems.push(`Line ${line} repeats ${hash} from line ${first}.`);
        else lineOf.set(hash, line);
      }
      entries.push(entry);
    } catch (error) {
      problems.push((error as Error).message);
    }
  });
  if (problems.length > 0) {
    throw new CasebridgeError(
      'PAYLOAD_INVALID',
      `${problems.length} of ${records.length} registry rows are invalid; nothing was imported.\n${problems.join('\n')}`,
    );
  }
  return entries;
}

/** The registry in memory, for matching a batch of events without a query per event. */
export interface RegistryIndex {
  match(sha256: string | null, md5: string | null): CriticalFileRow | null;
  size: number;
}

/** Loads every registry entry into hash maps. */
export async function loadRegistryIndex(db: Executor): Promise<RegistryIndex> {
  return buildRegistryIndex(await db.select().from(criticalFiles));
}

export function buildRegistryIndex(rows: readonly CriticalFileRow[]): RegistryIndex {
  const bySha256 = new Map<string, CriticalFileRow>();
  const byMd5 = new Map<string, CriticalFileRow>();
  for (const row of rows) {
    if (row.sha256 !== null) bySha256.set(row.sha256, row);
    if (row.md5 !== null) byMd5.set(row.md5, row);
  }
  return {
    size: rows.length,
    match(sha256, md5) {
      return (
        (sha256 === null ? undefined : bySha256.get(sha256)) ??
        (md5 === null ? undefined : byMd5.get(md5)) ??
        null
      );
    },
  };
}
