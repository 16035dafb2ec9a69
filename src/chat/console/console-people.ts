import { asc } from 'drizzle-orm';
import type { Role } from '../../../workflows/case-events.ts';
import { findPersonByEmail, findRoles } from '../../people/find-person.ts';
import type { Db } from '../../store/db.ts';
import { people, roleGrants } from '../../store/schema.ts';

/** A person of the directory as the console and the dashboard show them. */
export interface ConsoleViewer {
  email: string;
  name: string;
  roles: Role[];
}

/** Lists the active people of the directory with their roles, by name. */
export async function loadConsolePeople(db: Db): Promise<ConsoleViewer[]> {
  const rows = await db
    .select({ email: people.email, name: people.name, active: people.active })
    .from(people)
    .orderBy(asc(people.name));
  const grants = await db.select().from(roleGrants);
  return rows
    .filter((row) => row.active)
    .map((row) => ({
      email: row.email,
      name: row.name,
      roles: grants.filter((grant) => grant.email === row.email).map((grant) => grant.role as Role),
    }));
}

/** Loads one person and their roles, or null when the address is not in the directory. */
export async function loadConsolePerson(db: Db, email: string): Promise<ConsoleViewer | null> {
  const person = await findPersonByEmail(db, email);
  if (person === null || !person.active) return null;
  return { email: person.email, name: person.name, roles: await findRoles(db, person.email) };
}
