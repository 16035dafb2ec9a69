import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import { people, roleGrants } from '../store/schema.ts';

export interface DirectorySyncResult {
  people: number;
  roleGrants: number;
}

/**
 * Loads the people and role grants of the configuration into the database, so that the CLI, the
 * HTTP server and chat all resolve people the same way. People are upserted by e-mail; role grants
 * are replaced as a whole, because the configuration is their only source.
 */
export async function syncDirectory(db: Db, config: Config): Promise<DirectorySyncResult> {
  const rows = config.people.map((person) => ({
    email: person.email.toLowerCase(),
    name: person.name,
    managerEmail: person.manager?.toLowerCase() ?? null,
    department: person.department ?? null,
    employeeNumber: person.employeeNumber ?? null,
    locale: person.locale ?? null,
    externalIds: person.ids.map((id) => id.toLowerCase()),
    // Lifecycle fields are written only when the file names them, so that dates another source
    // (SCIM, an HR import) set are not cleared by a file that leaves them out.
    ...(person.timeZone === undefined ? {} : { timeZone: person.timeZone }),
    ...(person.country === undefined ? {} : { country: person.country }),
    ...(person.hireDate === undefined ? {} : { hireDate: person.hireDate }),
    ...(person.noticeDate === undefined ? {} : { noticeDate: person.noticeDate }),
    ...(person.lastWorkingDay === undefined ? {} : { lastWorkingDay: person.lastWorkingDay }),
  }));
  const grants = Object.entries(config.file.roles).flatMap(([role, emails]) =>
    emails.map((email) => ({ email: email.toLowerCase(), role })),
  );

  await db.transaction(async (tx) => {
    for (const row of rows) {
      await tx
        .insert(people)
        .values(row)
        .onConflictDoUpdate({
          target: people.email,
          set: { ...row, updatedAt: new Date() },
        });
    }
    await tx.delete(roleGrants);
    if (grants.length > 0) await tx.insert(roleGrants).values(grants);
  });

  return { people: rows.length, roleGrants: grants.length };
}
