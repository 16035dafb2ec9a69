import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { loadCase } from '../cases/load-case.ts';
import { CasebridgeError } from '../errors.ts';
import { findGrants } from '../people/find-person.ts';
import type { Db } from '../store/db.ts';
import { loadRevealState } from './load-reveal-state.ts';
import { revealAuditEntry } from './reveal-audit-entry.ts';

/** Grants that see the subject's identity in chat anyway, so may see it in the CLI too. */
export const identityGrants = ['hr', 'legal', 'privacy'];

/**
 * Checks that a person may see the identity of a case's subject outside chat (`cases show
 * --reveal`) and audits the view in the case's stream with the reason given. HR, Legal and the
 * privacy role may; security only while an approved reveal of that case is live.
 */
export async function authorizeIdentityView(
  db: Db,
  input: { caseRef: string; actorEmail: string; reason: string; now: Date },
): Promise<void> {
  const actor = input.actorEmail.trim().toLowerCase();
  const reason = requireViewReason(input.reason, 'the subject');

  const current = await loadCase(db, input.caseRef);
  const grants = await findGrants(db, actor);
  let role = identityGrants.find((grant) => grants.includes(grant));
  if (role === undefined && grants.includes('security')) {
    const reveal = await loadRevealState(db, current.id, { includeReveal: true, now: input.now });
    if (reveal?.status === 'approved') role = 'security';
  }
  if (role === undefined) {
    throw new CasebridgeError(
      'NOT_AUTHORIZED',
      `${actor} may not see the identity of the subject of ${current.key}: it takes the hr, legal or privacy role, or for security an approved reveal ("casebridge cases reveal request").`,
      { details: { case: current.key, person: actor } },
    );
  }

  await db.transaction((tx) =>
    appendAuditEvent(
      tx,
      revealAuditEntry({
        caseId: current.id,
        type: 'IDENTITY_VIEWED',
        actor,
        actorRole: role,
        at: input.now,
        state: current.state,
        reason,
        data: { via: 'cli' },
      }),
    ),
  );
}

/**
 * Returns the trimmed reason of an identity view, or rejects an empty one: every view is audited
 * with why it was needed. `subjectWords` names whose identity, e.g. "the subject".
 */
export function requireViewReason(reason: string, subjectWords: string): string {
  const trimmed = reason.trim();
  if (trimmed === '') {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Missing --reason: say why you need the identity of ${subjectWords}; the reason is audited.`,
    );
  }
  return trimmed;
}
