import { desc, inArray } from 'drizzle-orm';
import { appendAuditEvents } from '../audit/append-audit-event.ts';
import { CasebridgeError } from '../errors.ts';
import { findGrants } from '../people/find-person.ts';
import type { Db } from '../store/db.ts';
import { cases } from '../store/schema.ts';
import { identityGrants, requireViewReason } from './authorize-identity-view.ts';
import { loadRevealState } from './load-reveal-state.ts';
import { revealAuditEntry } from './reveal-audit-entry.ts';

export interface SightingIdentityInput {
  /** The subjects of the sightings listed, by subject key. */
  subjectKeys: readonly string[];
  /** The file hash that was looked up, recorded in each audit event. */
  hash: string;
  actorEmail: string;
  reason: string;
  now: Date;
}

/**
 * Checks which subjects of a file's sightings a person may see outside chat (`files where
 * --reveal`), and audits one IDENTITY_VIEWED event per subject in the stream of that subject's
 * case, as `cases show --reveal` does. HR, Legal and the privacy role may see every subject that
 * has a case, audited in the newest one. Security may see only subjects with a case whose approved
 * reveal is live, audited in that case. Returns the subject keys that may be shown.
 */
export async function authorizeSightingIdentities(
  db: Db,
  input: SightingIdentityInput,
): Promise<Set<string>> {
  const actor = input.actorEmail.trim().toLowerCase();
  const reason = requireViewReason(input.reason, 'the subjects');

  const grants = await findGrants(db, actor);
  const grantedRole = identityGrants.find((grant) => grants.includes(grant));
  if (grantedRole === undefined && !grants.includes('security')) {
    throw notAuthorized(actor);
  }

  const viewed = await pickAuditedCases(db, input, grantedRole);
  if (viewed.length === 0 && grantedRole === undefined) throw notAuthorized(actor);

  await db.transaction((tx) =>
    appendAuditEvents(
      tx,
      viewed.map((view) =>
        revealAuditEntry({
          caseId: view.caseId,
          type: 'IDENTITY_VIEWED',
          actor,
          actorRole: view.role,
          at: input.now,
          state: view.state,
          reason,
          data: { via: 'cli', command: 'files where', hash: input.hash },
        }),
      ),
    ),
  );
  return new Set(viewed.map((view) => view.subjectKey));
}

interface AuditedView {
  subjectKey: string;
  caseId: string;
  state: string;
  role: string;
}

/** Picks, for each subject, the case whose stream records the view; subjects without one are left out. */
async function pickAuditedCases(
  db: Db,
  input: SightingIdentityInput,
  grantedRole: string | undefined,
): Promise<AuditedView[]> {
  const subjectKeys = [...new Set(input.subjectKeys)];
  if (subjectKeys.length === 0) return [];
  const rows = await db
    .select({ id: cases.id, state: cases.state, subjectKey: cases.subjectKey })
    .from(cases)
    .where(inArray(cases.subjectKey, subjectKeys))
    .orderBy(desc(cases.openedAt));

  const views: AuditedView[] = [];
  for (const subjectKey of subjectKeys) {
    const subjectCases = rows.filter((row) => row.subjectKey === subjectKey);
    if (grantedRole !== undefined) {
      const newest = subjectCases[0];
      if (newest !== undefined) {
        views.push({ subjectKey, caseId: newest.id, state: newest.state, role: grantedRole });
      }
      continue;
    }
    for (const row of subjectCases) {
      const reveal = await loadRevealState(db, row.id, { includeReveal: true, now: input.now });
      if (reveal?.status === 'approved') {
        views.push({ subjectKey, caseId: row.id, state: row.state, role: 'security' });
        break;
      }
    }
  }
  return views;
}

function notAuthorized(actor: string): CasebridgeError {
  return new CasebridgeError(
    'NOT_AUTHORIZED',
    `${actor} may not see the identities of these sightings: it takes the hr, legal or privacy role, or for security an approved reveal of the subject's case ("casebridge cases reveal request").`,
    { details: { person: actor } },
  );
}
