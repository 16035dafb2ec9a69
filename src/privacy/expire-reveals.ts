import { and, asc, eq, lte } from 'drizzle-orm';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { advancePseudonymGeneration } from '../cases/pseudonym.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { cases, identityReveals } from '../store/schema.ts';
import { enqueueRevealMessages } from './enqueue-reveal-messages.ts';
import { revealAuditEntry } from './reveal-audit-entry.ts';

export const EXPIRE_REVEALS_JOB = 'expire-reveals';
const EXPIRY_ACTOR = `system:${EXPIRE_REVEALS_JOB}`;

/**
 * Ends every approved reveal whose time is up: marks it expired, gives the subject a new pseudonym
 * generation, audits the end in the case's stream, and refreshes the security card. Each reveal
 * ends in its own transaction; a reveal another replica ended first is skipped.
 */
export async function expireReveals(deps: { db: Db; logger: Logger }, now: Date) {
  const due = await deps.db
    .select({ id: identityReveals.id })
    .from(identityReveals)
    .where(and(eq(identityReveals.status, 'approved'), lte(identityReveals.expiresAt, now)))
    .orderBy(asc(identityReveals.expiresAt));

  let expired = 0;
  for (const { id } of due) {
    const ended = await deps.db.transaction(async (tx) => {
      const [reveal] = await tx
        .update(identityReveals)
        .set({ status: 'expired', endedAt: now })
        .where(and(eq(identityReveals.id, id), eq(identityReveals.status, 'approved')))
        .returning();
      if (reveal === undefined) return false;

      const [caseRow] = await tx
        .select({ state: cases.state })
        .from(cases)
        .where(eq(cases.id, reveal.caseId));
      const generation = await advancePseudonymGeneration(tx, reveal.subjectKey, now);
      await appendAuditEvent(
        tx,
        revealAuditEntry({
          caseId: reveal.caseId,
          type: 'REVEAL_EXPIRED',
          actor: EXPIRY_ACTOR,
          actorRole: 'system',
          at: now,
          state: caseRow?.state ?? 'unknown',
          reason: null,
          data: { revealId: reveal.id, pseudonymGeneration: generation },
        }),
      );
      await enqueueRevealMessages(tx, reveal.caseId, {
        type: 'REVEAL_EXPIRED',
        actor: EXPIRY_ACTOR,
      });
      deps.logger.info({ caseId: reveal.caseId, revealId: reveal.id }, 'identity reveal expired');
      return true;
    });
    if (ended) expired++;
  }
  return { expired };
}
