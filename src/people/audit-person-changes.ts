import { appendAuditEvents } from '../audit/append-audit-event.ts';
import type { Executor } from '../store/db.ts';
import type { PersonFieldName } from './person-fields.ts';

/** The channel that changed a person; the audit events record it as their actor. */
export type ProvisioningCause = 'scim' | 'csv' | 'yaml';

export type PersonChangeKind = 'created' | 'updated' | 'deactivated' | 'reactivated' | 'deleted';

export interface PersonChange {
  personId: string;
  kind: PersonChangeKind;
  /** Names of the changed fields; never their values, which are personal data. */
  fields: PersonFieldName[];
}

/** The audit stream of every change to the directory of people. */
export const DIRECTORY_STREAM = 'directory';

/** Entries per audit insert, so that one statement stays well under PostgreSQL's 65,535 parameters. */
const AUDIT_CHUNK = 1_000;

/** Classifies a change: a new person, a change of `active`, or any other update. */
export function classifyChange(
  isNew: boolean,
  fields: PersonFieldName[],
  active: boolean,
): PersonChangeKind {
  if (isNew) return 'created';
  if (fields.includes('active')) return active ? 'reactivated' : 'deactivated';
  return 'updated';
}

/**
 * Appends one `person.<kind>` event per change to the directory stream. Call it in the
 * transaction that writes the changes, so that a change and its audit event commit together.
 */
export async function auditPersonChanges(
  tx: Executor,
  cause: ProvisioningCause,
  changes: PersonChange[],
  at: Date = new Date(),
): Promise<void> {
  for (let start = 0; start < changes.length; start += AUDIT_CHUNK) {
    const entries = changes.slice(start, start + AUDIT_CHUNK).map((change) => ({
      stream: DIRECTORY_STREAM,
      caseId: null,
      type: `person.${change.kind}`,
      outcome: 'accepted' as const,
      actor: cause,
      actorRole: null,
      at,
      fromState: null,
      toState: null,
      reason: null,
      data: { personId: change.personId, cause, fields: change.fields },
    }));
    await appendAuditEvents(tx, entries);
  }
}
