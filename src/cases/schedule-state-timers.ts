import { and, eq, inArray } from 'drizzle-orm';
import {
  type BusinessCalendar,
  defaultBusinessCalendar,
} from '../../workflows/business-calendar.ts';
import type { CaseState } from '../../workflows/case-events.ts';
import { slaFor } from '../../workflows/policy.ts';
import type { Executor } from '../store/db.ts';
import { timers } from '../store/schema.ts';

export interface StateEntry {
  caseId: string;
  state: CaseState;
  enteredAt: Date;
}

/**
 * Cancels the pending SLA timers of cases and writes the reminder and escalation timers of the
 * states they have just entered. Called in the transaction of the transitions, so that a restart
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

  const rows = entries.flatMap(({ caseId, state, enteredAt }) => {
    const sla = slaFor(state);
    if (sla === null) return [];
    return [
      {
        caseId,
        state,
        kind: 'remind',
        dueAt: calendar.addBusinessHours(enteredAt, sla.remindAfterHours),
      },
      {
        caseId,
        state,
        kind: 'escalate',
        dueAt: calendar.addBusinessHours(enteredAt, sla.escalateAfterHours),
      },
    ];
  });
  if (rows.length > 0) await tx.insert(timers).values(rows);
}
