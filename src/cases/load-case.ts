import { eq, type SQL } from 'drizzle-orm';
import type { CaseState } from '../../workflows/case-events.ts';
import { CasebridgeError } from '../errors.ts';
import type { Executor } from '../store/db.ts';
import { cases } from '../store/schema.ts';

export type CaseRow = typeof cases.$inferSelect;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const keyPattern = /^CB-\d+$/i;

/**
 * Loads a case by id or by key (`CB-0042`). With `forUpdate` the row stays locked until the
 * transaction ends; system writers (intake, scheduler) use it so that they never lose a race.
 */
export async function loadCase(
  db: Executor,
  reference: string,
  options: { forUpdate?: boolean } = {},
): Promise<CaseRow> {
  const trimmed = reference.trim();
  let condition: SQL;
  if (uuidPattern.test(trimmed)) condition = eq(cases.id, trimmed.toLowerCase());
  else if (keyPattern.test(trimmed)) condition = eq(cases.key, normaliseKey(trimmed));
  else {
    throw new CasebridgeError(
      'CASE_NOT_FOUND',
      `"${reference}" is not a case key or id; use a key such as CB-0042 (see "casebridge cases list").`,
      { details: { case: reference } },
    );
  }

  const query = db.select().from(cases).where(condition).limit(1);
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (row === undefined) {
    throw new CasebridgeError(
      'CASE_NOT_FOUND',
      `Case ${reference} was not found; see "casebridge cases list".`,
      {
        details: { case: reference },
      },
    );
  }
  return row;
}

/** Writes `cb-42` as `CB-0042`, the form the database generates. */
function normaliseKey(key: string): string {
  const number = Number.parseInt(key.slice(3), 10);
  return `CB-${String(number).padStart(4, '0')}`;
}

export function caseState(row: CaseRow): CaseState {
  return row.state as CaseState;
}
