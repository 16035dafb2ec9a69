import type { Actor, CaseEvent, CaseState } from '../../workflows/case-events.ts';
import type { CaseContext } from '../../workflows/index.ts';
import type { AuditEntry } from '../audit/append-audit-event.ts';

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

/** The audit entry of an accepted case event. */
export function acceptedEntry(
  caseId: string,
  event: CaseEvent,
  context: CaseContext,
  fromState: CaseState,
  toState: CaseState,
): AuditEntry {
  return {
    stream: caseId,
    caseId,
    type: event.type,
    outcome: 'accepted',
    actor: actorName(event.actor),
    actorRole: actorRole(event.actor, context),
    at: new Date(event.at),
    fromState,
    toState,
    reason: eventReason(event),
    data: eventData(event),
  };
}

/** The audit entry of a refused attempt: who tried what, and why it was refused. */
export function refusedEntry(
  caseId: string,
  event: CaseEvent,
  context: CaseContext,
  fromState: string,
  error: { code: string; message: string },
): AuditEntry {
  return {
    stream: caseId,
    caseId,
    type: event.type,
    outcome: 'rejected',
    actor: actorName(event.actor),
    actorRole: actorRole(event.actor, context),
    at: new Date(event.at),
    fromState,
    toState: null,
    reason: error.message,
    data: { code: error.code, ...eventData(event) },
  };
}
