import { asc, eq } from 'drizzle-orm';
import type { CaseState } from '../../workflows/case-events.ts';
import type { CaseContext } from '../../workflows/index.ts';
import { threadAudiences } from '../outbox/thread-audiences.ts';
import type { Executor } from '../store/db.ts';
import { auditEvents, signals } from '../store/schema.ts';
import { loadCase } from './load-case.ts';

export interface CaseDetail {
  id: string;
  key: string;
  state: string;
  priority: string;
  version: number;
  openedAt: string;
  closedAt: string | null;
  subject: { key: string; email: string | null; resolved: boolean; managerEmail: string | null };
  outcome: string | null;
  legalHold: boolean;
  /** Who may act next: the role that owns the current state. */
  audiences: string[];
  signals: Array<{
    id: string;
    source: string;
    kind: string;
    externalId: string;
    version: number;
    observedAt: string;
    severity: string;
    riskScore: number | null;
    title: string;
  }>;
  events: Array<{
    seq: number;
    type: string;
    outcome: string;
    actor: string;
    actorRole: string | null;
    at: string;
    fromState: string | null;
    toState: string | null;
    reason: string | null;
    data: unknown;
  }>;
}

/** Loads a case with its signals and its full audit timeline. */
export async function showCase(db: Executor, reference: string): Promise<CaseDetail> {
  const row = await loadCase(db, reference);
  const context = (row.snapshot as { context: CaseContext }).context;

  const signalRows = await db
    .select()
    .from(signals)
    .where(eq(signals.caseId, row.id))
    .orderBy(asc(signals.observedAt));
  const eventRows = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.caseId, row.id))
    .orderBy(asc(auditEvents.seq));

  return {
    id: row.id,
    key: row.key,
    state: row.state,
    priority: row.priority,
    version: row.version,
    openedAt: row.openedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    subject: {
      key: row.subjectKey,
      email: row.subjectEmail,
      resolved: context.subject.resolved,
      managerEmail: context.subject.managerEmail,
    },
    outcome: context.outcome ?? null,
    legalHold: context.legalHold,
    audiences: [...threadAudiences(row.state as CaseState)],
    signals: signalRows.map((signal) => ({
      id: signal.id,
      source: signal.source,
      kind: signal.kind,
      externalId: signal.externalId,
      version: signal.version,
      observedAt: signal.observedAt.toISOString(),
      severity: signal.severity,
      riskScore: signal.riskScore,
      title: signal.title,
    })),
    events: eventRows.map((event) => ({
      seq: event.seq,
      type: event.type,
      outcome: event.outcome,
      actor: event.actor,
      actorRole: event.actorRole,
      at: event.at.toISOString(),
      fromState: event.fromState,
      toState: event.toState,
      reason: event.reason,
      data: event.data,
    })),
  };
}
