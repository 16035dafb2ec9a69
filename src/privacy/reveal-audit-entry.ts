import type { AuditEntry } from '../audit/append-audit-event.ts';

/** The audit event types of identity reveals, written to the case's audit stream. */
export type RevealAuditType =
  | 'REVEAL_REQUESTED'
  | 'REVEAL_APPROVED'
  | 'REVEAL_REJECTED'
  | 'REVEAL_EXPIRED'
  | 'IDENTITY_VIEWED';

/**
 * Builds the audit entry of a reveal step. Reveals do not change the case's state, so the entry
 * records the state the case was in as both its from and to state.
 */
export function revealAuditEntry(entry: {
  caseId: string;
  type: RevealAuditType;
  outcome?: 'accepted' | 'rejected';
  actor: string;
  actorRole: string;
  at: Date;
  state: string;
  reason: string | null;
  data: Record<string, unknown>;
}): AuditEntry {
  return {
    stream: entry.caseId,
    caseId: entry.caseId,
    type: entry.type,
    outcome: entry.outcome ?? 'accepted',
    actor: entry.actor,
    actorRole: entry.actorRole,
    at: entry.at,
    fromState: entry.state,
    toState: entry.state,
    reason: entry.reason,
    data: entry.data,
  };
}
