import { sql } from 'drizzle-orm';
import { type Executor, resultRows } from '../store/db.ts';

/** Rows about the subject, per watchlist table. */
export type WatchlistEntries = Record<string, Array<Record<string, unknown>>>;

/**
 * Finds the subject's watchlist memberships. Watchlists are optional, so the tables are looked up
 * by name: every table of the current schema whose name starts with `watchlist` and that has a
 * `person_id` or `email` column. Returns null when there is no such table.
 */
export async function findWatchlistEntries(
  tx: Executor,
  email: string,
  personId: string | null,
): Promise<WatchlistEntries | null> {
  const columns = resultRows<{ table_name: string; column_name: string }>(
    await tx.execute(sql`
      select table_name, column_name from information_schema.columns
      where table_schema = current_schema()
        and table_name like 'watchlist%'
        and column_name in ('person_id', 'email')
      order by table_name, column_name`),
  );
  if (columns.length === 0) return null;

  const tables = new Map<string, string[]>();
  for (const { table_name: table, column_name: column } of columns) {
    tables.set(table, [...(tables.get(table) ?? []), column]);
  }
  const entries: WatchlistEntries = {};
  for (const [table, keys] of tables) {
    const conditions = [];
    if (keys.includes('email'))
      conditions.push(sql`lower(${sql.identifier('email')}::text) = ${email}`);
    if (keys.includes('person_id') && personId !== null) {
      conditions.push(sql`${sql.identifier('person_id')}::text = ${personId}`);
    }
    if (conditions.length === 0) {
      entries[table] = [];
      continue;
    }
    entries[table] = resultRows<Record<string, unknown>>(
      await tx.execute(
        sql`select * from ${sql.identifier(table)} where ${sql.join(conditions, sql` or `)}`,
      ),
    );
  }
  return entries;
}
