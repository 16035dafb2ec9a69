import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../../store/db.ts';
import { people, scimUsers } from '../../store/schema.ts';
import { auditPersonChanges, classifyChange } from '../audit-person-changes.ts';
import {
  changedFields,
  fieldsOf,
  type PersonFieldName,
  type PersonFields,
  type PersonRow,
} from '../person-fields.ts';
import { ScimError } from './scim-error.ts';
import { isUuid } from './user-filter.ts';
import type { ParsedUser, ScimState } from './user-resource.ts';

export interface SavedUser {
  row: PersonRow;
  scim: ScimState;
}

/**
 * Writes a parsed SCIM User to a new or existing person, stores its other attributes, and audits
 * the changed fields. Call it in a transaction that locked `existing`.
 */
export async function saveScimUser(
  tx: Executor,
  existing: PersonRow | null,
  user: ParsedUser,
): Promise<SavedUser> {
  const managerEmail = await resolveManager(tx, user.managerValue, existing?.id ?? null);
  const next: Omit<PersonFields, 'externalIds'> = { ...user.fields, managerEmail };
  await assertUserNameFree(tx, next.email, existing?.id ?? null);

  const now = new Date();
  let row: PersonRow;
  let fields: PersonFieldName[];
  if (existing === null) {
    [row] = (await tx.insert(people).values(next).returning()) as [PersonRow];
    fields = (Object.keys(next) as PersonFieldName[]).filter(
      (name) => next[name as keyof typeof next] !== null,
    );
  } else {
    fields = changedFields(fieldsOf(existing), next);
    row = existing;
    if (fields.length > 0) {
      const changes = Object.fromEntries(
        fields.map((name) => [name, next[name as keyof typeof next]]),
      );
      [row] = (await tx
        .update(people)
        .set({ ...changes, updatedAt: now })
        .where(eq(people.id, existing.id))
        .returning()) as [PersonRow];
    }
  }

  const [scim] = await tx
    .insert(scimUsers)
    .values({ personId: row.id, resource: user.stored })
    .onConflictDoUpdate({
      target: scimUsers.personId,
      set: {
        resource: user.stored,
        version: sql`${scimUsers.version} + 1`,
        deletedAt: null,
        updatedAt: now,
      },
    })
    .returning();

  if (fields.length > 0) {
    await auditPersonChanges(tx, 'scim', [
      { personId: row.id, kind: classifyChange(existing === null, fields, row.active), fields },
    ]);
  }
  return { row, scim: toState(scim!) };
}

export function toState(row: typeof scimUsers.$inferSelect): ScimState {
  return {
    resource: row.resource as Record<string, unknown>,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Finds the e-mail of the manager a SCIM client names by `manager.value`: a user id of this
 * server, a person's externalId, or an e-mail address.
 */
async function resolveManager(
  tx: Executor,
  value: string | null,
  selfId: string | null,
): Promise<string | null> {
  if (value === null) return null;
  const condition = isUuid(value)
    ? eq(people.id, value)
    : value.includes('@')
      ? eq(people.email, value.toLowerCase())
      : eq(people.sourceId, value);
  const [manager] = await tx
    .select({ id: people.id, email: people.email })
    .from(people)
    .where(condition)
    .limit(1);
  if (manager === undefined) {
    throw new ScimError(
      400,
      `manager.value ${value} matches no user. Provision the manager first, then set the manager again.`,
      'invalidValue',
    );
  }
  if (manager.id === selfId) {
    throw new ScimError(400, 'A user cannot be their own manager.', 'invalidValue');
  }
  return manager.email;
}

async function assertUserNameFree(tx: Executor, email: string, selfId: string | null) {
  const [other] = await tx
    .select({ id: people.id })
    .from(people)
    .where(eq(people.email, email))
    .limit(1);
  if (other !== undefined && other.id !== selfId) {
    throw new ScimError(409, 'Another user already has this userName.', 'uniqueness');
  }
}
