import { asc, eq } from 'drizzle-orm';
import { type CaseState, caseStates } from '../../workflows/case-events.ts';
import { CasebridgeError } from '../errors.ts';
import type { Executor } from '../store/db.ts';
import { cases } from '../store/schema.ts';

export interface CaseSummary {
  id: string;
  key: string;
  state: CaseState;
  priority: string;
  openedAt: string;
}

/** Lists cases, oldest first, optionally in one state. */
export async function listCases(
  db: Executor,
  options: { state?: string } = {},
): Promise<CaseSummary[]> {
  if (options.state !== undefined && !caseStates.includes(options.state as CaseState)) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Unknown state "${options.state}"; use one of ${caseStates.join(', ')}.`,
    );
  }
  const rows = await db
    .select({
      id: cases.id,
      key: cases.key,
      state: cases.state,
      priority: cases.priority,
      openedAt: cases.openedAt,
    })
    .from(cases)
    .where(options.state === undefined ? undefined : eq(cases.state, options.state))
    .orderBy(asc(cases.number));
  return rows.map((row) => ({
    ...row,
    state: row.state as CaseState,
    openedAt: row.openedAt.toISOString(),
  }));
}
