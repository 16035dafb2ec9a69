import { randomUUID } from 'node:crypto';
import { and, eq, lte, sql } from 'drizzle-orm';
import { applyEvent, type CaseContext, type CaseEvent } from '../../workflows/index.ts';
import { applyCaseEvent } from '../cases/apply-case-event.ts';
import { loadCase } from '../cases/load-case.ts';
import type { Executor } from '../store/db.ts';
import { auditEvents, auditHeads, cases, outbox, signals, timers } from '../store/schema.ts';
import type { RetentionCandidate } from './plan-retention.ts';

/** The title every anonymised signal keeps instead of its own. */
export const ANONYMISED_TITLE = '(anonymised)';

export type AnonymiseResult =
  | {
      status: 'anonymised';
      key: string;
      rule: string;
      tombstoneKey: string;
      redactedEvents: number;
    }
  /** The case changed since the plan (a legal hold, a reopening); nothing was written. */
  | { status: 'skipped'; key: string; reason: string };

/**
 * Anonymises one closed case in the caller's transaction. The case row is locked first, then the
 * machine decides through the ANONYMISE event, which it refuses under legal hold, so a hold placed
 * after the plan still wins. On acceptance the subject columns take a tombstone key. The signals lose
 * their title, normalised record and raw payload, chat messages lose their text, and pending timers
 * are cancelled. Every earlier audit event of the case stream is redacted: its reason and data are
 * removed, and a subject or manager actor is replaced by that word. Its digest and hash stay, so the
 * chain still verifies. The ANONYMISE audit event then records the rule and the last redacted
 * sequence number.
 */
export async function anonymiseCase(
  tx: Executor,
  candidate: Pick<RetentionCandidate, 'caseId' | 'rule' | 'retentionDays'>,
  times: { now: Date; asOf: Date },
): Promise<AnonymiseResult> {
  const current = await loadCase(tx, candidate.caseId, { forUpdate: true });
  const context = (current.snapshot as { context: CaseContext }).context;
  const [head] = await tx
    .select({ seq: auditHeads.seq })
    .from(auditHeads)
    .where(eq(auditHeads.stream, current.id))
    .for('update');
  const redactedThrough = head?.seq ?? 0;
  const tombstoneKey = `tombstone:${randomUUID()}`;
  const event: CaseEvent = {
    type: 'ANONYMISE',
    actor: { kind: 'system', name: 'retention' },
    at: times.now.toISOString(),
    asOf: times.asOf.toISOString(),
    tombstoneKey,
    rule: candidate.rule,
    retentionDays: candidate.retentionDays,
    redactedThrough,
  };

  const decision = applyEvent(current.snapshot, event, current.machineVersion);
  if (!decision.ok)
    return { status: 'skipped', key: current.key, reason: decision.refusal.message };

  const redactedEvents = await redactAuditEvents(tx, current.id, redactedThrough, {
    subject: current.subjectEmail ?? context.subject.email,
    manager: context.subject.managerEmail,
  });
  await tx
    .update(signals)
    .set({ title: ANONYMISED_TITLE, signal: {}, raw: sql`'null'::jsonb`, subjectKey: tombstoneKey })
    .where(eq(signals.caseId, current.id));
  await clearChatMessages(tx, current.id);
  await tx
    .update(timers)
    .set({ status: 'cancelled' })
    .where(and(eq(timers.caseId, current.id), eq(timers.status, 'pending')));

  const applied = await applyCaseEvent(tx, current, event);
  if (applied.status !== 'applied') {
    // The row is locked and the machine accepted the event above, so neither can happen.
    throw new Error(`case ${current.key} could not be anonymised: ${applied.status}`);
  }
  await tx
    .update(cases)
    .set({ subjectKey: tombstoneKey, subjectPersonId: null, subjectEmail: null })
    .where(eq(cases.id, current.id));

  return {
    status: 'anonymised',
    key: current.key,
    rule: candidate.rule,
    tombstoneKey,
    redactedEvents,
  };
}

async function redactAuditEvents(
  tx: Executor,
  caseId: string,
  through: number,
  names: { subject: string | null; manager: string | null },
): Promise<number> {
  // A refused attempt by the subject, or the manager's acknowledgement, names them as the actor.
  const actor = sql`case
    when ${auditEvents.actor} = ${names.subject ?? ''} then 'subject'
    when ${auditEvents.actor} = ${names.manager ?? ''} then 'manager'
    else ${auditEvents.actor} end`;
  const rows = await tx
    .update(auditEvents)
    .set({ reason: null, data: {}, actor, redacted: true })
    .where(
      and(
        eq(auditEvents.stream, caseId),
        lte(auditEvents.seq, through),
        eq(auditEvents.redacted, false),
      ),
    )
    .returning({ id: auditEvents.id });
  return rows.length;
}

/** Removes the text of the case's chat messages; a message not yet delivered is never sent. */
async function clearChatMessages(tx: Executor, caseId: string): Promise<void> {
  await tx
    .update(outbox)
    .set({ status: 'dead', lastError: 'not delivered: the case was anonymised' })
    .where(and(eq(outbox.caseId, caseId), eq(outbox.status, 'pending')));
  await tx
    .update(outbox)
    .set({
      payload: {},
      lastError: sql`case when ${outbox.status} = 'dead' then ${outbox.lastError} else null end`,
    })
    .where(eq(outbox.caseId, caseId));
}
