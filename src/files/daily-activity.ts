import { sql } from 'drizzle-orm';
import { copyField, copyRows } from '../store/copy-rows.ts';
import { type Executor, resultRows } from '../store/db.ts';
import { fileActivityDaily } from '../store/schema-files.ts';

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
 * Adds a unit's totals to the stored daily totals and returns the day totals after the addition.
 * `increments` must hold each key once. They are copied into a temporary table first, which
 * costs the server far less per row than parameters or JSON, and then added in one statement.
 */
export async function addDailyActivity(
  tx: Executor,
  increments: readonly DailyActivity[],
): Promise<DailyActivity[]> {
  if (increments.length === 0) return [];
  await tx.execute(sql`
    create temporary table if not exists file_activity_increments
      (like ${fileActivityDaily} including defaults) on commit drop`);
  await copyRows(
    tx,
    'file_activity_increments (subject_key, day, file_category, destination_category, department, events, bytes)',
    increments
      .map(
        (increment) =>
          `${[
            increment.subjectKey,
            increment.day,
            increment.fileCategory,
            increment.destinationCategory,
            increment.department,
            increment.events,
            increment.bytes,
          ]
            .map(copyField)
            .join('\t')}\n`,
      )
      .join(''),
  );
  const result = await tx.execute(sql`
    insert into ${fileActivityDaily} as stored
      (subject_key, day, file_category, destination_category, department, events, bytes)
    select subject_key, day, file_category, destination_category, department, events, bytes
    from file_activity_increments
    on conflict (subject_key, day, file_category, destination_category) do update set
      events = stored.events + excluded.events,
      bytes = stored.bytes + excluded.bytes,
      department = excluded.department
    returning subject_key, day::text as day, file_category, destination_category, department,
      events, bytes::float8 as bytes`);
  await tx.execute(sql`truncate file_activity_increments`);
  return resultRows<{
    subject_key: string;
    day: string;
    file_category: string;
    destination_category: string;
    department: string | null;
    events: number;
    bytes: number;
  }>(result).map((row) => ({
    subjectKey: row.subject_key,
    day: row.day,
    fileCategory: row.file_category,
    destinationCategory: row.destination_category,
    department: row.department,
    events: Number(row.events),
    bytes: Number(row.bytes),
  }));
}
