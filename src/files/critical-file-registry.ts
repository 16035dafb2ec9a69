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
    error: 'give sha256, md5 or both',
    path: ['sha256'],
  });

export type CriticalFileInput = z.infer<typeof criticalFileInputSchema>;

/** Validates an entry; a failure names the field and the value. */
export function parseCriticalFile(value: unknown, where = 'entry'): CriticalFileInput {
  const result = criticalFileInputSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || 'entry'}: ${issue.message}`)
    .join('; ');
  throw new CasebridgeError(
    'USAGE_INVALID',
    `Invalid critical file ${where} (${problems}). Fix the value and try again.`,
  );
}

/**
 * Adds entries or updates the ones whose SHA-256 (or, without one, MD5) is already listed, in one
 * statement per entry inside the caller's transaction.
 */
export async function upsertCriticalFiles(
  tx: Executor,
  entries: readonly CriticalFileInput[],
): Promise<CriticalFileRow[]> {
  const rows: CriticalFileRow[] = [];
  for (const entry of entries) {
    const values = {
      sha256: entry.sha256 ?? null,
      md5: entry.md5 ?? null,
      label: entry.label,
      owner: entry.owner ?? null,
      sensitivity: entry.sensitivity,
    };
    const [existing] = await tx
      .select()
      .from(criticalFiles)
      .where(
        entry.sha256 !== undefined
          ? sql`${criticalFiles.sha256} = ${entry.sha256}`
          : sql`${criticalFiles.md5} = ${entry.md5} and ${criticalFiles.sha256} is null`,
      );
    if (existing === undefined) {
      const [inserted] = await tx.insert(criticalFiles).values(values).returning();
      rows.push(inserted!);
    } else {
      const [updated] = await tx
        .update(criticalFiles)
        .set({ ...values, updatedAt: new Date() })
        .where(sql`${criticalFiles.id} = ${existing.id}`)
        .returning();
      rows.push(updated!);
    }
  }
  return rows;
}

/** Lists the registry ordered by label. */
export async function listCriticalFiles(db: Executor): Promise<CriticalFileRow[]> {
  return db.select().from(criticalFiles).orderBy(asc(criticalFiles.label), asc(criticalFiles.id));
}

/**
 * Parses a registry CSV with a header row naming the columns `sha256`, `md5`, `label`, `owner`
 * and `sensitivity` (any order; `owner` and one of the hashes may be empty). Every row is checked
 * before anything is stored, and the error lists each bad row by its line number.
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
      'USAGE_INVALID',
      `The registry CSV could not be read: ${(error as Error).message}. Give a CSV file with the header sha256,md5,label,owner,sensitivity.`,
    );
  }

  const entries: CriticalFileInput[] = [];
  const problems: string[] = [];
  records.forEach((record, position) => {
    const value = Object.fromEntries(
      Object.entries(record).filter(([, field]) => field !== undefined && field !== ''),
    );
    try {
      // Line 1 is the header.
      entries.push(parseCriticalFile(value, `on line ${position + 2}`));
    } catch (error) {
      problems.push((error as Error).message);
    }
  });
  if (problems.length > 0) {
    throw new CasebridgeError(
      'USAGE_INVALID',
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
