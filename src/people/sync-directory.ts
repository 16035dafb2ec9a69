import { eq, inArray, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Db } from '../store/db.ts';
import { people, roleGrants } from '../store/schema.ts';
import { auditPersonChanges, type PersonChange } from './audit-person-changes.ts';
import { changedFields, fieldsOf, type PersonFieldName } from './person-fields.ts';

export interface DirectorySyncResult {
  people: number;
  roleGrants: number;
  /** People added or changed by this sync; each has an audit event with cause `yaml`. */
  changed: number;
}

/**
 * Loads the people and role grants of the configuration into the database, so that the CLI, the
 * HTTP server and chat all resolve people the same way. People are matched by e-mail, and only
 * those whose fields differ are written and audited. Role grants are replaced as a whole, because
 * the configuration is their only source.
 */
export async function syncDirectory(db: Db, config: Config): Promise<DirectorySyncResult> {
  const mapped = config.people.map((person) => ({
    email: person.email.toLowerCase(),
    name: person.name,
    managerEmail: person.manager?.toLowerCase() ?? null,
    department: person.department ?? null,
    employeeNumber: person.employeeNumber ?? null,
    locale: person.locale ?? null,
    country: person.country?.toUpperCase() ?? null,
    externalIds: person.ids.map((id) => id.toLowerCase()),
    // Lifecycle fields are written only when the file names them, so that dates another source
    // (SCIM, an HR import) set are not cleared by a file that leaves them out.
    ...(person.timeZone === undefined ? {} : { timeZone: person.timeZone }),
    ...(person.country === undefined ? {} : { country: person.country }),
    ...(person.hireDate === undefined ? {} : { hireDate: person.hireDate }),
    ...(person.noticeDate === undefined ? {} : { noticeDate: person.noticeDate }),
    ...(person.lastWorkingDay === undefined ? {} : { lastWorkingDay: person.lastWorkingDay }),
  }));
  // A person listed twice takes the later entry, as the configuration is read top to bottom.
  const rows = [...new Map(mapped.map((row) => [row.email, row])).values()];
  const grants = Object.entries(config.file.roles).flatMap(([role, emails]) =>
    emails.map((email) => ({ email: email.toLowerCase(), role })),
  );

  const changes: PersonChange[] = [];
  await db.transaction(async (tx) => {
    // Replicas starting together sync the same file; the lock makes the second one find the
    // first one's rows instead of inserting them again.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('job:directory-sync', 0))`);
    const existing =
      rows.length === 0
        ? []
        : await tx
            .select()
            .from(people)
            .where(
              inArray(
                people.email,
                rows.map((row) => row.email),
              ),
            );
    const byEmail = new Map(existing.map((person) => [person.email, person]));
    const now = new Date();

    for (const row of rows) {
      const before = byEmail.get(row.email);
      if (before === undefined) {
        const [created] = await tx.insert(people).values(row).returning({ id: people.id });
        const fields = (Object.keys(row) as PersonFieldName[]).filter(
          (name) => row[name as keyof typeof row] !== null,
        );
        changes.push({ personId: created!.id, kind: 'created', fields });
        continue;
      }
      const fields = changedFields(fieldsOf(before), row);
      if (fields.length === 0) continue;
      const set = Object.fromEntries(fields.map((name) => [name, row[name as keyof typeof row]]));
      await tx
        .update(people)
        .set({ ...set, updatedAt: now })
        .where(eq(people.id, before.id));
      changes.push({ personId: before.id, kind: 'updated', fields });
    }

    await auditPersonChanges(tx, 'yaml', changes, now);
    await tx.delete(roleGrants);
    if (grants.length > 0) await tx.insert(roleGrants).values(grants);
  });

  return { people: rows.length, roleGrants: grants.length, changed: changes.length };
}
