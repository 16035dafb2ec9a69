import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { incydrCursors } from '../store/schema-incydr.ts';
import type { IncydrStream } from './settings.ts';

export type IncydrCursor = typeof incydrCursors.$inferSelect;
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** Loads a stream's cursor; null before its first pull. */
export async function loadCursor(db: Executor, stream: IncydrStream): Promise<IncydrCursor | null> {
  const rows = await db.select().from(incydrCursors).where(eq(incydrCursors.stream, stream));
  return rows[0] ?? null;
}

/** The fields a pull writes; the rest keep their stored values. */
export type CursorChange = Partial<Omit<IncydrCursor, 'stream' | 'updatedAt'>>;

/** Writes a stream's cursor, creating its row on the first write. */
export async function saveCursor(
  db: Executor,
  stream: IncydrStream,
  change: CursorChange & { windowStart: Date },
): Promise<void> {
  await db
    .insert(incydrCursors)
    .values({ stream, ...change })
    .onConflictDoUpdate({
      target: incydrCursors.stream,
      set: { ...change, updatedAt: sql`now()` },
    });
}

/** Lists every stream's cursor, for status output. */
export async function listCursors(db: Executor): Promise<IncydrCursor[]> {
  return db.select().from(incydrCursors).orderBy(incydrCursors.stream);
}
