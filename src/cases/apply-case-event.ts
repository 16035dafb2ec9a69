import { and, eq, sql } from 'drizzle-orm';
import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { CaseEvent, CaseState } from '../../workflows/case-events.ts';
import { applyEvent, type CaseContext, MACHINE_VERSION } from '../../workflows/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { CasebridgeError } from '../errors.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { Executor } from '../store/db.ts';
import { cases } from '../store/schema.ts';
import { acceptedEntry, refusedEntry } from './case-audit-entry.ts';
import type { CaseRow } from './load-case.ts';
import { scheduleStateTimers } from './schedule-state-timers.ts';

export type ApplyResult =
  | { status: 'applied'; caseRow: CaseRow; fromState: CaseState; toState: CaseState }
  | { status: 'refused'; error: CasebridgeError }
  /** Another transaction changed the case after it was loaded; nothing was written. */
  | { status: 'conflict' };

/**
 * The one path that changes a case: computes the machine's next snapshot, then writes the case
 * row (checked against the version that was loaded), one audit event, the new state's timers and
 * the chat messages that announce the change, in the caller's transaction. A refused event writes
 * only its audit event.
 */
export async function applyCaseEvent(
  tx: Executor,
  current: CaseRow,
  event: CaseEvent,
  notifier?: CaseNotifier,
  calendar?: BusinessCalendar,
): Promise<ApplyResult> {
  const fromState = current.state as CaseState;
  const context = (current.snapshot as { context: CaseContext }).context;
  const at = new Date(event.at);
  const result = applyEvent(current.snapshot, event);

  if (!result.ok) {
    const error = new CasebridgeError(result.refusal.code, result.refusal.message, {
      userMessage: result.refusal.message,
      details: { case: current.key, state: fromState, event: event.type },
    });
    await recordRefusal(tx, current, event, error);
    return { status: 'refused', error };
  }

  const toState = result.state;
  const [updated] = await tx
    .update(cases)
    .set({
      snapshot: result.snapshot,
      state: toState,
      priority: result.context.priority,
      machineVersion: MACHINE_VERSION,
      version: sql`${cases.version} + 1`,
      closedAt: closedAtAfter(current, fromState, toState, at),
      updatedAt: at,
    })
    .where(and(eq(cases.id, current.id), eq(cases.version, current.version)))
    .returning();
  if (updated === undefined) return { status: 'conflict' };

  await appendAuditEvent(tx, acceptedEntry(current.id, event, context, fromState, toState));
  if (toState !== fromState) {
    await scheduleStateTimers(
      tx,
      [{ caseId: current.id, state: toState, enteredAt: at }],
      calendar,
    );
  }
  await notifier?.enqueue(tx, [
    { caseId: current.id, fromState, toState, event, before: context, after: result.context },
  ]);

  return { status: 'applied', caseRow: updated, fromState, toState };
}

/** Writes the audit event of a refused attempt: who tried what, and why it was refused. */
export async function recordRefusal(
  tx: Executor,
  current: CaseRow,
  event: CaseEvent,
  error: CasebridgeError,
): Promise<void> {
  const context = (current.snapshot as { context: CaseContext }).context;
  await appendAuditEvent(tx, refusedEntry(current.id, event, context, current.state, error));
}

/** A closed case keeps the time it closed; a case that closes now takes the event's time. */
function closedAtAfter(
  current: CaseRow,
  fromState: CaseState,
  toState: CaseState,
  at: Date,
): Date | null {
  if (toState !== 'closed') return null;
  if (fromState === 'closed') return current.closedAt;
  return at;
}
