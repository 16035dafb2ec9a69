import { arrayOverlaps, eq } from 'drizzle-orm';
import { type Role, roles } from '../../workflows/case-events.ts';
import type { Executor } from '../store/db.ts';
import { people, roleGrants } from '../store/schema.ts';

export type Person = typeof people.$inferSelect;

/** Finds a person by e-mail, ignoring case. */
export async function findPersonByEmail(db: Executor, email: string): Promise<Person | null> {
  const [person] = await db
    .select()
    .from(people)
    .where(eq(people.email, email.toLowerCase()))
    .limit(1);
  return person ?? null;
}

/** Finds a person by any of the ids detection tools use for them (compared lower-cased). */
export async function findPersonByExternalIds(db: Executor, ids: string[]): Promise<Person | null> {
  if (ids.length === 0) return null;
  const [person] = await db
    .select()
    .from(people)
    .where(
      arrayOverlaps(
        people.externalIds,
        ids.map((id) => id.toLowerCase()),
      ),
    )
    .limit(1);
  return person ?? null;
}

/** Returns the case roles granted to an e-mail address; grants outside the case machine (privacy) are left out. */
export async function findRoles(db: Executor, email: string): Promise<Role[]> {
  const granted = await findGrants(db, email);
  return granted.filter((role): role is Role => (roles as readonly string[]).includes(role));
}

/** Returns every role granted to an e-mail address, including `privacy`. */
export async function findGrants(db: Executor, email: string): Promise<string[]> {
  const rows = await db
    .select({ role: roleGrants.role })
    .from(roleGrants)
    .where(eq(roleGrants.email, email.toLowerCase()));
  return rows.map((row) => row.role);
}
