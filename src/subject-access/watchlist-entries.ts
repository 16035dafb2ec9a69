import { asc, eq } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { watchlistMemberships } from '../store/schema.ts';

/** One watchlist membership of the subject, past or current, without the staff who made it. */
export interface WatchlistEntry {
  list: string;
  /** `hr_record` for lifecycle lists, `person` for custom lists. */
  cause: string;
  startsAt: string;
  endsAt: string | null;
  endedAt: string | null;
  reason: string | null;
}

/**
 * Finds every watchlist membership of the subject, oldest first. A subject outside the directory
 * has none, because memberships refer to people.
 */
export async function findWatchlistEntries(
  tx: Executor,
  personId: string | null,
): Promise<WatchlistEntry[]> {
  if (personId === null) return [];
  const rows = await tx
    .select()
    .from(watchlistMemberships)
    .where(eq(watchlistMemberships.personId, personId))
    .orderBy(asc(watchlistMemberships.startsAt), asc(watchlistMemberships.list));
  return rows.map((row) => ({
    list: row.list,
    cause: row.cause,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    reason: row.reason,
  }));
}
