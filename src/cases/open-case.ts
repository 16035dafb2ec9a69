import { randomUUID } from 'node:crypto';
import type { Priority } from '../../workflows/case-events.ts';
import { MACHINE_VERSION, startCase } from '../../workflows/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { ResolvedSubject } from '../intake/resolve-subject.ts';
import type { Executor } from '../store/db.ts';
import { cases } from '../store/schema.ts';
import type { CaseRow } from './load-case.ts';
import { scheduleStateTimers } from './schedule-state-timers.ts';

export interface OpenCaseOptions {
  subject: ResolvedSubject;
  priority: Priority;
  openedAt: Date;
  /** What opened the case, kept in the audit event (e.g. the first signal's id). */
  cause: Record<string, unknown>;
}

/** Opens a case in its initial state, with its audit event and its first SLA timers. */
export async function openCase(tx: Executor, options: OpenCaseOptions): Promise<CaseRow> {
  const caseId = randomUUID();
  const started = startCase({
    caseId,
    subject: {
      key: options.subject.key,
      email: options.subject.email,
      managerEmail: options.subject.managerEmail,
      resolved: options.subject.resolved,
    },
    priority: options.priority,
    openedAt: options.openedAt.toISOString(),
  });

  const [row] = await tx
    .insert(cases)
    .values({
      id: caseId,
      subjectKey: options.subject.key,
      subjectPersonId: options.subject.personId,
      subjectEmail: options.subject.email,
      state: started.state,
      priority: options.priority,
      machineVersion: MACHINE_VERSION,
      snapshot: started.snapshot,
      openedAt: options.openedAt,
      updatedAt: options.openedAt,
    })
    .returning();
  const caseRow = row!;

  await appendAuditEvent(tx, {
    stream: caseId,
    caseId,
    type: 'OPEN',
    outcome: 'accepted',
    actor: 'system:intake',
    actorRole: 'system',
    at: options.openedAt,
    fromState: null,
    toState: started.state,
    reason: null,
    data: {
      priority: options.priority,
      subjectResolved: options.subject.resolved,
      ...options.cause,
    },
  });
  await scheduleStateTimers(tx, caseId, started.state, options.openedAt);

  return caseRow;
}
