import { arrayOverlaps, inArray, or } from 'drizzle-orm';
import type { SignalSubject } from '../feeds/signal.ts';
import type { Person } from '../people/find-person.ts';
import type { Executor } from '../store/db.ts';
import { people } from '../store/schema.ts';

export interface ResolvedSubject {
  /** `person:<uuid>` when the subject is in the directory; `email:<address>` or `id:<id>` otherwise. */
  key: string;
  personId: string | null;
  email: string | null;
  managerEmail: string | null;
  resolved: boolean;
}

/** Some feeds name people only by a user name that is an e-mail address. */
function emailLikeId(subject: SignalSubject): string | null {
  return subject.externalIds.find((id) => id.includes('@')) ?? null;
}

/**
 * Matches signals' subjects to the directory with one query, by e-mail first and then by the ids
 * detection tools use. A subject that is not in the directory still gets a stable key, so their
 * signals group into one case and nothing is dropped.
 */
export async function resolveSubjects(
  db: Executor,
  given: SignalSubject[],
): Promise<ResolvedSubject[]> {
  const subjects = given.map((subject) => ({
    ...subject,
    email: subject.email?.toLowerCase() ?? null,
    externalIds: subject.externalIds.map((id) => id.toLowerCase()),
  }));
  const emails = new Set<string>();
  const ids = new Set<string>();
  for (const subject of subjects) {
    if (subject.email !== null) emails.add(subject.email);
    const emailLike = emailLikeId(subject);
    if (emailLike !== null) emails.add(emailLike);
    for (const id of subject.externalIds) ids.add(id);
  }

  const conditions = [];
  if (emails.size > 0) conditions.push(inArray(people.email, [...emails]));
  if (ids.size > 0) conditions.push(arrayOverlaps(people.externalIds, [...ids]));
  const found =
    conditions.length === 0
      ? []
      : await db
          .select()
          .from(people)
          .where(or(...conditions));

  const byEmail = new Map<string, Person>(found.map((person) => [person.email, person]));
  const byId = new Map<string, Person>();
  for (const person of found) for (const id of person.externalIds) byId.set(id, person);

  return subjects.map((subject) => {
    const emailLike = emailLikeId(subject);
    const person =
      (subject.email !== null ? byEmail.get(subject.email) : undefined) ??
      subject.externalIds.map((id) => byId.get(id)).find((match) => match !== undefined) ??
      (emailLike !== null ? byEmail.get(emailLike) : undefined);

    if (person !== undefined) {
      return {
        key: `person:${person.id}`,
        personId: person.id,
        email: person.email,
        managerEmail: person.managerEmail,
        resolved: true,
      };
    }
    const email = subject.email ?? emailLike;
    const key = email !== null ? `email:${email}` : `id:${subject.externalIds[0]}`;
    return { key, personId: null, email, managerEmail: null, resolved: false };
  });
}
