import { and, eq, inArray } from 'drizzle-orm';
import {
  type BusinessCalendar,
  defaultBusinessCalendar,
} from '../../workflows/business-calendar.ts';
import type { CaseState } from '../../workflows/case-events.ts';
import { slaLadder } from '../../workflows/policy.ts';
import type { Executor } from '../store/db.ts';
import { timers } from '../store/schema.ts';

export interface StateEntry {
  caseId: string;
  state: CaseState;
  enteredAt: Date;
}

/**
 * Cancels the pending SLA timers of cases and writes the timers of the SLA ladders of the states
 * they have just entered, one per rung. Called in the transaction of the transitions, so that a restart
 * never leaves a state without its clock. The SLA hours count in `calendar`, which defaults to
 * UTC, Monday to Friday, 09:00 to 17:00.
 */
export async function scheduleStateTimers(
  tx: Executor,
  entries: StateEntry[],
  calendar: BusinessCalendar = defaultBusinessCalendar,
): Promise<void> {
  if (entries.length === 0) return;
  await tx
    .update(timers)
    .set({ status: 'cancelled' })
    .where(
      and(
        inArray(
          timers.caseId,
          entries.map((entry) => entry.caseId),
        ),
        eq(timers.status, 'pending'),
      ),
    );

  const rows = entries.flatMap(({ caseId, state, enteredAt }) =>
    slaLadder(state).map((step, index) => ({
      caseId,
      state,
      kind: step.kind,
      step: index,
      dueAt: calendar.addBusinessHours(enteredAt, step.afterHours),
    })),
  );
  if (rows.length > 0) await tx.insert(timers).values(rows);
}
