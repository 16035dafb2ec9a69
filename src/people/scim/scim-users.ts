import { and, asc, count, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { patchBodyValidation, type ScimPatchOperation, scimPatch } from 'scim-patch';
import { type Db, type Executor, sqlState } from '../../store/db.ts';
import { people, scimUsers } from '../../store/schema.ts';
import { auditPersonChanges } from '../audit-person-changes.ts';
import type { PersonRow } from '../person-fields.ts';
import { type SavedUser, saveScimUser, toState } from './save-scim-user.ts';
import { ScimError, type ScimType, userNotFound } from './scim-error.ts';
import { isUuid, userFilterToSql } from './user-filter.ts';
import { parseUser, renderUser, type ScimResource, type ScimState } from './user-resource.ts';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** The largest page a list returns, also announced as `filter.maxResults`. */
export const MAX_PAGE_SIZE = 200;

/** The SCIM User operations on the directory; `baseUrl` is the absolute URL of `/scim/v2`. */
export interface ScimUsers {
  create(body: unknown, baseUrl: string): Promise<ScimResource>;
  get(id: string, baseUrl: string): Promise<ScimResource>;
  replace(id: string, body: unknown, baseUrl: string): Promise<ScimResource>;
  patch(id: string, body: unknown, baseUrl: string): Promise<ScimResource>;
  remove(id: string): Promise<void>;
  list(query: ListQuery, baseUrl: string): Promise<ScimResource>;
}

export interface ListQuery {
  filter?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
}

interface Loaded {
  row: PersonRow;
  scim: ScimState | null;
}

export function createScimUsers(db: Db): ScimUsers {
  return {
    async create(body, baseUrl) {
      const parsed = parseUser(body);
      const saved = await writeTransaction(db, async (tx) => {
        const [existing] = await tx
          .select()
          .from(people)
          .leftJoin(scimUsers, eq(scimUsers.personId, people.id))
          .where(eq(people.email, parsed.fields.email))
          .for('update', { of: people });
        // A user that a SCIM DELETE removed may be created again; any other person keeps the name.
        if (existing !== undefined && existing.scim_users?.deletedAt == null) {
          throw new ScimError(
            409,
            'A user with this userName already exists. Find it with filter=userName eq "<userName>" and update it with PUT or PATCH.',
            'uniqueness',
          );
        }
        return saveScimUser(tx, existing?.people ?? null, parsed);
      });
      return render(db, saved, baseUrl);
    },

    async get(id, baseUrl) {
      const loaded = await load(db, id, false);
      return render(db, { row: loaded.row, scim: loaded.scim }, baseUrl);
    },

    async replace(id, body, baseUrl) {
      const parsed = parseUser(body);
      const saved = await writeTransaction(db, async (tx) => {
        const loaded = await load(tx, id, true);
        return saveScimUser(tx, loaded.row, parsed);
      });
      return render(db, saved, baseUrl);
    },

    async patch(id, body, baseUrl) {
      const operations = patchOperations(body);
      const saved = await writeTransaction(db, async (tx) => {
        const loaded = await load(tx, id, true);
        const current = await render(tx, loaded, baseUrl);
        const patched = applyPatch(current, operations);
        return saveScimUser(tx, loaded.row, parseUser(patched));
      });
      return render(db, saved, baseUrl);
    },

    async remove(id) {
      await writeTransaction(db, async (tx) => {
        const loaded = await load(tx, id, true);
        const now = new Date();
        await tx
          .update(people)
          .set({ active: false, updatedAt: now })
          .where(eq(people.id, loaded.row.id));
        await tx
          .insert(scimUsers)
          .values({ personId: loaded.row.id, resource: {}, deletedAt: now })
          .onConflictDoUpdate({
            target: scimUsers.personId,
            set: { deletedAt: now, updatedAt: now, version: sql`${scimUsers.version} + 1` },
          });
        await auditPersonChanges(tx, 'scim', [
          {
            personId: loaded.row.id,
            kind: 'deleted',
            fields: loaded.row.active ? ['active'] : [],
          },
        ]);
      });
    },

    async list(query, baseUrl) {
      const startIndex = pagingNumber(query.startIndex, 'startIndex', 1, 1);
      const pageSize = Math.min(
        pagingNumber(query.count, 'count', MAX_PAGE_SIZE, 0),
        MAX_PAGE_SIZE,
      );
      const conditions: SQL[] = [isNull(scimUsers.deletedAt)];
      if (query.filter !== undefined && query.filter.trim() !== '') {
        conditions.push(userFilterToSql(query.filter));
      }
      const where = and(...conditions);

      const [total] = await db
        .select({ value: count() })
        .from(people)
        .leftJoin(scimUsers, eq(scimUsers.personId, people.id))
        .where(where);
      const rows =
        pageSize === 0
          ? []
          : await db
              .select()
              .from(people)
              .leftJoin(scimUsers, eq(scimUsers.personId, people.id))
              .where(where)
              .orderBy(asc(people.createdAt), asc(people.id))
              .offset(startIndex - 1)
              .limit(pageSize);
      const managerIds = await managerIdsOf(
        db,
        rows.map((row) => row.people.managerEmail),
      );
      return {
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: total?.value ?? 0,
        startIndex,
        itemsPerPage: rows.length,
        Resources: rows.map((row) =>
          renderUser(
            row.people,
            row.scim_users === null ? null : toState(row.scim_users),
            managerIds.get(row.people.managerEmail ?? '') ?? null,
            baseUrl,
          ),
        ),
      };
    },
  };
}

/** Runs a write, turning a unique violation from a concurrent writer into a SCIM uniqueness error. */
async function writeTransaction<T>(db: Db, work: (tx: Executor) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(work);
  } catch (error) {
    if (sqlState(error) === '23505') {
      throw new ScimError(409, 'Another user already has this userName.', 'uniqueness');
    }
    throw error;
  }
}

async function load(db: Executor, id: string, forUpdate: boolean): Promise<Loaded> {
  if (!isUuid(id)) throw userNotFound(id);
  const query = db
    .select()
    .from(people)
    .leftJoin(scimUsers, eq(scimUsers.personId, people.id))
    .where(eq(people.id, id));
  const [found] = forUpdate ? await query.for('update', { of: people }) : await query;
  if (found === undefined || found.scim_users?.deletedAt != null) throw userNotFound(id);
  return { row: found.people, scim: found.scim_users === null ? null : toState(found.scim_users) };
}

async function render(db: Executor, user: SavedUser | Loaded, baseUrl: string) {
  const managerIds = await managerIdsOf(db, [user.row.managerEmail]);
  const managerId = managerIds.get(user.row.managerEmail ?? '') ?? null;
  return renderUser(user.row, user.scim, managerId, baseUrl);
}

async function managerIdsOf(db: Executor, emails: Array<string | null>) {
  const wanted = [...new Set(emails.filter((email): email is string => email !== null))];
  if (wanted.length === 0) return new Map<string, string>();
  const rows = await db
    .select({ id: people.id, email: people.email })
    .from(people)
    .where(inArray(people.email, wanted));
  return new Map(rows.map((row) => [row.email, row.id]));
}

function patchOperations(body: unknown): ScimPatchOperation[] {
  try {
    patchBodyValidation(body as Parameters<typeof patchBodyValidation>[0]);
  } catch (error) {
    throw fromPatchError(error);
  }
  return (body as { Operations: ScimPatchOperation[] }).Operations;
}

function applyPatch(current: ScimResource, operations: ScimPatchOperation[]): ScimResource {
  try {
    return scimPatch(current as never, operations) as ScimResource;
  } catch (error) {
    throw fromPatchError(error);
  }
}

/** Maps the errors of the scim-patch library, which carry the RFC's scimType as `scimCode`. */
function fromPatchError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  const scimCode = (error as { scimCode?: unknown }).scimCode;
  if (typeof scimCode !== 'string') throw error;
  return new ScimError(400, (error as Error).message, scimCode as ScimType);
}

function pagingNumber(value: string | undefined, name: string, fallback: number, min: number) {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) {
    throw new ScimError(400, `${name} must be an integer, not "${value}".`, 'invalidValue');
  }
  // RFC 7644 section 3.4.2.4: values below the minimum are read as the minimum.
  return Math.max(parsed, min);
}
