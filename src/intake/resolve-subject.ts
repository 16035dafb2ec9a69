import type { SignalSubject } from '../feeds/signal.ts';
import { findPersonByEmail, findPersonByExternalIds } from '../people/find-person.ts';
import type { Executor } from '../store/db.ts';

export interface ResolvedSubject {
  /** `person:<uuid>` when the subject is in the directory; `email:<address>` or `id:<id>` otherwise. */
  key: string;
  personId: string | null;
  email: string | null;
  managerEmail: string | null;
  resolved: boolean;
}

/**
 * Matches a signal's subject to the directory, by e-mail first and then by the ids detection
 * tools use. A subject that is not in the directory still gets a stable key, so their signals
 * group into one case and nothing is dropped.
 */
export async function resolveSubject(
  db: Executor,
  subject: SignalSubject,
): Promise<ResolvedSubject> {
  let person = subject.email === null ? null : await findPersonByEmail(db, subject.email);
  if (person === null) person = await findPersonByExternalIds(db, subject.externalIds);
  if (person === null && subject.email === null && subject.externalIds.length > 0) {
    // Some feeds name people only by a user name that is an e-mail address.
    const emailLike = subject.externalIds.find((id) => id.includes('@'));
    if (emailLike !== undefined) person = await findPersonByEmail(db, emailLike);
  }

  if (person !== null) {
    return {
      key: `person:${person.id}`,
      personId: person.id,
      email: person.email.toLowerCase(),
      managerEmail: person.managerEmail,
      resolved: true,
    };
  }

  const email = subject.email ?? subject.externalIds.find((id) => id.includes('@')) ?? null;
  const key = email !== null ? `email:${email.toLowerCase()}` : `id:${subject.externalIds[0]}`;
  return {
    key,
    personId: null,
    email: email?.toLowerCase() ?? null,
    managerEmail: null,
    resolved: false,
  };
}
