import { and, eq, sql } from 'drizzle-orm';
import type { Actor, CaseEvent, CaseState } from '../../workflows/case-events.ts';
import { applyEvent, type CaseContext, MACHINE_VERSION } from '../../workflows/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { CasebridgeError } from '../errors.ts';
import type { Executor } from '../store/db.ts';
import { cases } from '../store/schema.ts';
import type { CaseRow } from './load-case.ts';
import { scheduleStateTimers } from './schedule-state-timers.ts';

export type ApplyResult =
  | { status: 'applied'; caseRow: CaseRow; fromState: CaseState; toState: CaseState }
  | { status: 'refused'; error: CasebridgeError }
  /** Another transaction changed the case after it was loaded; nothing was written. */
  | { status: 'conflict' };

/** Returns the audit name of an actor: the e-mail of a person, `system:<component>` otherwise. */
export function actorName(actor: Actor): string {
  return actor.kind === 'person' ? actor.email : `system:${actor.name}`;
}

/** Returns the role an actor acts in, for the audit trail. */
export function actorRole(actor: Actor, context: CaseContext): string {
  if (actor.kind === 'system') return 'system';
  if (context.subject.managerEmail !== null && actor.email === context.subject.managerEmail) {
    return actor.roles.length > 0 ? [...actor.roles, 'manager'].join(',') : 'manager';
  }
  return actor.roles.length > 0 ? actor.roles.join(',') : 'none';
}

/** The free-text reason an event carries, under whichever name its type gives it. */
export function eventReason(event: CaseEvent): string | null {
  switch (event.type) {
    case 'NOTE':
      return event.text;
    case 'ESCALATE':
      return event.summary;
    case 'RETURN_TO_SECURITY':
      return event.question;
    case 'RECORD_CONVERSATION':
    case 'RECORD_ACTION':
      return event.notes;
    case 'DISMISS':
    case 'REJECT':
    case 'REOPEN':
    case 'LEGAL_HOLD':
      return event.reason;
    case 'CHOOSE_RESPONSE':
    case 'CLOSE':
    case 'APPROVE':
      return event.reason ?? null;
    default:
      return null;
  }
}

/** The event's fields other than actor, time and reason, kept in the audit event's data. */
function eventData(event: CaseEvent): Record<string, unknown> {
  const { type: _type, actor: _actor, at: _at, ...rest } = event as Record<string, unknown>;
  for (const key of ['text', 'summary', 'question', 'notes', 'reason']) delete rest[key];
  return rest;
}

/**
 * The one path that changes a case: computes the machine's next snapshot, then writes the case
 * row (checked against the version that was loaded), one audit event and the new state's timers
 * in the caller's transaction. A refused event writes only its audit event.
 */
export async function applyCaseEvent(
  tx: Executor,
  current: CaseRow,
  event: CaseEvent,
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
      closedAt: toState === 'closed' ? (fromState === 'closed' ? current.closedAt : at) : null,
      updatedAt: at,
    })
    .where(and(eq(cases.id, current.id), eq(cases.version, current.version)))
    .returning();
  if (updated === undefined) return { status: 'conflict' };

  await appendAuditEvent(tx, {
    stream: current.id,
    caseId: current.id,
    type: event.type,
    outcome: 'accepted',
    actor: actorName(event.actor),
    actorRole: actorRole(event.actor, context),
    at,
    fromState,
    toState,
    reason: eventReason(event),
    data: eventData(event),
  });
  if (toState !== fromState) await scheduleStateTimers(tx, current.id, toState, at);

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
  await appendAuditEvent(tx, {
    stream: current.id,
    caseId: current.id,
    type: event.type,
    outcome: 'rejected',
    actor: actorName(event.actor),
    actorRole: actorRole(event.actor, context),
    at: new Date(event.at),
    fromState: current.state,
    toState: null,
    reason: error.message,
    data: { code: error.code, ...eventData(event) },
  });
}
