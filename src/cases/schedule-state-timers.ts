import { and, eq } from 'drizzle-orm';
import type { CaseState } from '../../workflows/case-events.ts';
import { slaFor } from '../../workflows/policy.ts';
import type { Executor } from '../store/db.ts';
import { timers } from '../store/schema.ts';

const HOUR_MS = 3_600_000;

/**
 * Cancels the pending SLA timers of a case and writes the reminder and escalation timers of the
 * state it has just entered. Called in the transaction of the transition, so that a restart never
 * leaves a state without its clock.
 */
export async function scheduleStateTimers(
  tx: Executor,
  caseId: string,
  state: CaseState,
  enteredAt: Date,
): Promise<void> {
  await tx
    .update(timers)
    .set({ status: 'cancelled' })
    .where(and(eq(timers.caseId, caseId), eq(timers.status, 'pending')));

  const sla = slaFor(state);
  if (sla === null) return;
  await tx.insert(timers).values([
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
  ]);
}
