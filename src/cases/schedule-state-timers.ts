import { and, eq, inArray } from 'drizzle-orm';
import type { CaseState } from '../../workflows/case-events.ts';
import { slaFor } from '../../workflows/policy.ts';
import type { Executor } from '../store/db.ts';
import { timers } from '../store/schema.ts';

const HOUR_MS = 3_600_000;

export interface StateEntry {
  caseId: string;
  state: CaseState;
  enteredAt: Date;
}

/**
 * Cancels the pending SLA timers of cases and writes the reminder and escalation timers of the
 * states they have just entered. Called in the transaction of the transitions, so that a restart
 * never leaves a state without its clock.
 */
export async function scheduleStateTimers(tx: Executor, entries: StateEntry[]): Promise<void> {
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
        dueAt: new Date(enteredAt.getTime() + sla.remindAfterHours * HOUR_MS),
      },
      {
        caseId,
        state,
        kind: 'escalate',
        dueAt: new Date(enteredAt.getTime() + sla.escalateAfterHours * HOUR_MS),
      },
    ];
  });
  if (rows.length > 0) await tx.insert(timers).values(rows);
}
