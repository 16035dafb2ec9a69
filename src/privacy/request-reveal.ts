import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { loadCase } from '../cases/load-case.ts';
import { CasebridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { findGrants } from '../people/find-person.ts';
import { asDatabaseUnavailable, type Db, sqlState, UNIQUE_VIOLATION } from '../store/db.ts';
import { identityReveals } from '../store/schema.ts';
import { enqueueRevealMessages } from './enqueue-reveal-messages.ts';
import { revealAuditEntry } from './reveal-audit-entry.ts';

export interface RevealDeps {
  db: Db;
  logger: Logger;
  now?: () => Date;
}

/** Maximum length of a reveal reason, in characters. */
export const MAX_REVEAL_REASON = 2000;

export interface RevealRequestResult {
  revealId: string;
  caseKey: string;
  status: 'pending';
}

/**
 * Records a security analyst's request to see the identity of a case's subject, audits it in the
 * case's stream, and asks HR in the case's HR thread. A case has at most one open request or live
 * reveal at a time.
 */
export async function requestReveal(
  deps: RevealDeps,
  input: { caseRef: string; actorEmail: string; reason: string },
): Promise<RevealRequestResult> {
  const now = (deps.now ?? (() => new Date()))();
  const actor = input.actorEmail.trim().toLowerCase();
  const reason = checkReason(input.reason);

  try {
    const current = await loadCase(deps.db, input.caseRef);
    const grants = await findGrants(deps.db, actor);
    if (!grants.includes('security')) {
      throw new CasebridgeError(
        'NOT_AUTHORIZED',
        `${actor} does not hold the security role, so cannot request the identity of the subject of ${current.key}.`,
        { details: { case: current.key, person: actor } },
      );
    }

    const revealId = await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(identityReveals)
        .values({
          caseId: current.id,
          subjectKey: current.subjectKey,
          requestedBy: actor,
          reason,
          requestedAt: now,
        })
        .returning({ id: identityReveals.id });
      await appendAuditEvent(
        tx,
        revealAuditEntry({
          caseId: current.id,
          type: 'REVEAL_REQUESTED',
          actor,
          actorRole: 'security',
          at: now,
          state: current.state,
          reason,
          data: { revealId: row!.id },
        }),
      );
      await enqueueRevealMessages(tx, current.id, {
        type: 'REVEAL_REQUESTED',
        actor,
        reason,
      });
      return row!.id;
    });

    deps.logger.info({ caseId: current.id, revealId }, 'identity reveal requested');
    return { revealId, caseKey: current.key, status: 'pending' };
  } catch (error) {
    if (sqlState(error) === UNIQUE_VIOLATION) {
      throw new CasebridgeError(
        'ALREADY_DECIDED',
        `Case ${input.caseRef} already has an open identity reveal request or a live reveal; wait for HR to decide it or for the reveal to expire.`,
        { details: { case: input.caseRef }, cause: error },
      );
    }
    throw asDatabaseUnavailable(error);
  }
}

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed === '') {
    throw new CasebridgeError(
      'EVENT_INVALID',
      'Missing reason: say why security needs the identity of the subject (--reason TEXT).',
    );
  }
  if (trimmed.length > MAX_REVEAL_REASON) {
    throw new CasebridgeError(
      'EVENT_INVALID',
      `The reason is ${trimmed.length} characters long; shorten it to at most ${MAX_REVEAL_REASON}.`,
    );
  }
  return trimmed;
}
