import { and, count, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { people } from '../store/schema.ts';
import { fileActivityDaily } from '../store/schema-files.ts';
import type { DepartmentHistory, SubjectHistory } from './baseline.ts';

/** Stored for events without a file or destination category. */
export const UNKNOWN_CATEGORY = 'unknown';

/** One subject's totals for a day, file category and destination category. */
export interface DailyActivity {
  subjectKey: string;
  day: string;
  fileCategory: string;
  destinationCategory: string;
  department: string | null;
  events: number;
  bytes: number;
}

export function activityKey(
  activity: Pick<DailyActivity, 'subjectKey' | 'day' | 'fileCategory' | 'destinationCategory'>,
): string {
  return `${activity.subjectKey}\u0000${activity.day}\u0000${activity.fileCategory}\u0000${activity.destinationCategory}`;
}

/**
 * Adds a batch's totals to the stored daily totals in one statement and returns the day totals
 * after the addition. `increments` must hold each key once.
 */
export async function addDailyActivity(
  tx: Executor,
  increments: readonly DailyActivity[],
): Promise<DailyActivity[]> {
  if (increments.length === 0) return [];
  return tx
    .insert(fileActivityDaily)
    .values([...increments])
    .onConflictDoUpdate({
      target: [
        fileActivityDaily.subjectKey,
        fileActivityDaily.day,
        fileActivityDaily.fileCategory,
        fileActivityDaily.destinationCategory,
      ],
      set: {
        events: sql`${fileActivityDaily.events} + excluded.events`,
        bytes: sql`${fileActivityDaily.bytes} + excluded.bytes`,
        department: sql`excluded.department`,
      },
    })
    .returning();
}

type Totals = Map<string, { events: number; bytes: number }>;

/** The stored history the baselines of a batch need, read with three queries. */
export interface ActivityHistory {
  subject(
    subjectKey: string,
    fileCategory: string,
    destinationCategory: string,
    hireDate: string | null,
  ): SubjectHistory;
  department(
    department: string | null,
    fileCategory: string,
    destinationCategory: string,
  ): DepartmentHistory | null;
}

/** Loads the subjects' and departments' daily totals for the days `fromDay` ≤ day < `toDay`. */
export async function loadActivityHistory(
  tx: Executor,
  subjectKeys: readonly string[],
  departments: readonly string[],
  fromDay: string,
  toDay: string,
): Promise<ActivityHistory> {
  const inWindow = and(gte(fileActivityDaily.day, fromDay), lt(fileActivityDaily.day, toDay));
  const subjectRows =
    subjectKeys.length === 0
      ? []
      : await tx
          .select()
          .from(fileActivityDaily)
          .where(and(inArray(fileActivityDaily.subjectKey, [...subjectKeys]), inWindow));
  const departmentRows =
    departments.length === 0
      ? []
      : await tx
          .select({
            department: fileActivityDaily.department,
            day: fileActivityDaily.day,
            fileCategory: fileActivityDaily.fileCategory,
            destinationCategory: fileActivityDaily.destinationCategory,
            events: sql<number>`sum(${fileActivityDaily.events})::float8`,
            bytes: sql<number>`sum(${fileActivityDaily.bytes})::float8`,
          })
          .from(fileActivityDaily)
          .where(and(inArray(fileActivityDaily.department, [...departments]), inWindow))
          .groupBy(
            fileActivityDaily.department,
            fileActivityDaily.day,
            fileActivityDaily.fileCategory,
            fileActivityDaily.destinationCategory,
          );
  const headcounts =
    departments.length === 0
      ? []
      : await tx
          .select({ department: people.department, headcount: count() })
          .from(people)
          .where(and(inArray(people.department, [...departments]), eq(people.active, true)))
          .groupBy(people.department);

  const subjectTotals = new Map<string, Totals>();
  const firstActive = new Map<string, string>();
  for (const row of subjectRows) {
    const key = `${row.subjectKey}\u0000${row.fileCategory}\u0000${row.destinationCategory}`;
    const totals = subjectTotals.get(key) ?? new Map();
    totals.set(row.day, { events: row.events, bytes: Number(row.bytes) });
    subjectTotals.set(key, totals);
    const first = firstActive.get(row.subjectKey);
    if (first === undefined || row.day < first) firstActive.set(row.subjectKey, row.day);
  }
  const departmentTotals = new Map<string, Totals>();
  for (const row of departmentRows) {
    const key = `${row.department}\u0000${row.fileCategory}\u0000${row.destinationCategory}`;
    const totals = departmentTotals.get(key) ?? new Map();
    totals.set(row.day, { events: Number(row.events), bytes: Number(row.bytes) });
    departmentTotals.set(key, totals);
  }
  const headcountOf = new Map(headcounts.map((row) => [row.department, Number(row.headcount)]));

  return {
    subject(subjectKey, fileCategory, destinationCategory, hireDate) {
      return {
        byDay:
          subjectTotals.get(`${subjectKey}\u0000${fileCategory}\u0000${destinationCategory}`) ??
          new Map(),
        firstActiveDay: firstActive.get(subjectKey) ?? null,
        hireDate,
      };
    },
    department(department, fileCategory, destinationCategory) {
      if (department === null) return null;
      return {
        byDay:
          departmentTotals.get(`${department}\u0000${fileCategory}\u0000${destinationCategory}`) ??
          new Map(),
        headcount: headcountOf.get(department) ?? 0,
      };
    },
  };
}
