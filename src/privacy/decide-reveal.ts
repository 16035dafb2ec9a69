import { and, eq } from 'drizzle-orm';
import type { CaseContext } from '../../workflows/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { loadCase } from '../cases/load-case.ts';
import { CasebridgeError } from '../errors.ts';
import { findGrants } from '../people/find-person.ts';
import { asDatabaseUnavailable } from '../store/db.ts';
import { identityReveals } from '../store/schema.ts';
import { enqueueRevealMessages } from './enqueue-reveal-messages.ts';
import type { RevealDeps } from './request-reveal.ts';
import { revealAuditEntry } from './reveal-audit-entry.ts';

/** The grants that may decide a reveal: HR, and the optional `roles.privacy` list. */
const deciderGrants = ['hr', 'privacy'];

export interface RevealDecisionResult {
  revealId: string;
  caseKey: string;
  status: 'approved' | 'rejected';
  /** When an approved reveal ends; null for a rejection. */
  expiresAt: string | null;
}

/**
 * Approves or rejects the open reveal request of a case. The decider needs the hr or privacy grant
 * and must be neither the requester nor the subject. An approval lasts `revealHours`; the security
 * card is refreshed to show the identity, and the decision is audited in the case's stream.
 */
export async function decideReveal(
  deps: RevealDeps & { revealHours: number },
  input: {
    caseRef: string;
    actorEmail: string;
    decision: 'approve' | 'reject';
    reason?: string | undefined;
  },
): Promise<RevealDecisionResult> {
  const now = (deps.now ?? (() => new Date()))();
  const actor = input.actorEmail.trim().toLowerCase();
  const reason = input.reason?.trim() || null;

  try {
    const current = await loadCase(deps.db, input.caseRef);
    const context = (current.snapshot as { context: CaseContext }).context;
    const [pending] = await deps.db
      .select()
      .from(identityReveals)
      .where(and(eq(identityReveals.caseId, current.id), eq(identityReveals.status, 'pending')))
      .limit(1);
    if (pending === undefined) {
      throw new CasebridgeError(
        'REVEAL_NOT_FOUND',
        `Case ${current.key} has no identity reveal request waiting for a decision.`,
        { details: { case: current.key } },
      );
    }

    const grants = await findGrants(deps.db, actor);
    const role = deciderGrants.find((grant) => grants.includes(grant));
    if (role === undefined) {
      throw new CasebridgeError(
        'NOT_AUTHORIZED',
        `${actor} holds neither the hr role nor the privacy role, so cannot decide identity reveals.`,
        { details: { case: current.key, person: actor } },
      );
    }
    if (actor === pending.requestedBy || actor === context.subject.email) {
      throw new CasebridgeError(
        'NOT_AUTHORIZED',
        `Separation of duties: ${actor} requested this reveal or is its subject, so another person must decide it.`,
        { details: { case: current.key, person: actor } },
      );
    }

    const approved = input.decision === 'approve';
    const expiresAt = approved ? new Date(now.getTime() + deps.revealHours * 3_600_000) : null;
    await deps.db.transaction(async (tx) => {
      const [updated] = await tx
        .update(identityReveals)
        .set({
          status: approved ? 'approved' : 'rejected',
          decidedBy: actor,
          decisionReason: reason,
          decidedAt: now,
          expiresAt,
          endedAt: approved ? null : now,
        })
        .where(and(eq(identityReveals.id, pending.id), eq(identityReveals.status, 'pending')))
        .returning({ id: identityReveals.id });
      if (updated === undefined) {
        throw new CasebridgeError(
          'ALREADY_DECIDED',
          `The identity reveal request of ${current.key} was decided by someone else a moment ago.`,
          { details: { case: current.key } },
        );
      }
      await appendAuditEvent(
        tx,
        revealAuditEntry({
          caseId: current.id,
          type: approved ? 'REVEAL_APPROVED' : 'REVEAL_REJECTED',
          actor,
          actorRole: role,
          at: now,
          state: current.state,
          reason,
          data: {
            revealId: pending.id,
            requestedBy: pending.requestedBy,
            ...(expiresAt === null ? {} : { expiresAt: expiresAt.toISOString() }),
          },
        }),
      );
      await enqueueRevealMessages(
        tx,
        current.id,
        approved
          ? { type: 'REVEAL_APPROVED', actor, until: expiresAt!.toISOString() }
          : { type: 'REVEAL_REJECTED', actor },
      );
    });

    deps.logger.info(
      { caseId: current.id, revealId: pending.id, decision: input.decision },
      'identity reveal decided',
    );
    return {
      revealId: pending.id,
      caseKey: current.key,
      status: approved ? 'approved' : 'rejected',
      expiresAt: expiresAt?.toISOString() ?? null,
    };
  } catch (error) {
    throw asDatabaseUnavailable(error);
  }
}
