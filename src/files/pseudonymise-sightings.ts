import { inArray } from 'drizzle-orm';
import { loadPseudonyms } from '../cases/pseudonym.ts';
import { identityRedactor } from '../chat/evidence.ts';
import type { Executor } from '../store/db.ts';
import { people } from '../store/schema.ts';
import type { FileSighting } from './find-file-sightings.ts';

/** A sighting as views outside HR and Legal show it: the subject by pseudonym only. */
export type PseudonymousSighting = Omit<FileSighting, 'subjectKey' | 'user'> & {
  /** The subject's current pseudonym, the one `cases show` and security's chat views show. */
  subject: string;
  /**
   * The subject's identity, present only after an audited reveal (`files where --reveal`): null
   * for a subject the reveal did not cover.
   */
  identity?: { user: string | null; name: string | null } | null;
};

const PERSON_KEY_PREFIX = 'person:';

/**
 * Replaces each sighting's subject key and user with the subject's current pseudonym, and the
 * subject's e-mail address and directory name in the file name with it, as `cases show` does in
 * signal titles and file names. Given `revealed`, every sighting gets `identity`, and the
 * subjects in `revealed` keep their file names; callers authorize and audit the reveal first.
 */
export async function pseudonymiseSightings(
  db: Executor,
  pseudonymKey: Buffer,
  sightings: readonly FileSighting[],
  revealed?: ReadonlySet<string>,
): Promise<PseudonymousSighting[]> {
  const subjectKeys = sightings.map((sighting) => sighting.subjectKey);
  const pseudonyms = await loadPseudonyms(db, pseudonymKey, subjectKeys);
  const names = await loadDirectoryNames(db, subjectKeys);

  return sightings.map(({ subjectKey, user, ...sighting }): PseudonymousSighting => {
    const pseudonym = pseudonyms.get(subjectKey)!;
    const name = names.get(subjectKey) ?? null;
    if (revealed?.has(subjectKey) === true) {
      return { ...sighting, subject: pseudonym, identity: { user, name } };
    }

    const redact = identityRedactor({ name, email: user }, pseudonym);
    const fileName = sighting.fileName === null ? null : redact(sighting.fileName);
    const pseudonymous = { ...sighting, subject: pseudonym, fileName };
    return revealed === undefined ? pseudonymous : { ...pseudonymous, identity: null };
  });
}

/** Loads the directory names of the subjects that are people in the directory, by subject key. */
async function loadDirectoryNames(
  db: Executor,
  subjectKeys: readonly string[],
): Promise<Map<string, string>> {
  const ids = [
    ...new Set(
      subjectKeys
        .filter((key) => key.startsWith(PERSON_KEY_PREFIX))
        .map((key) => key.slice(PERSON_KEY_PREFIX.length)),
    ),
  ];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: people.id, name: people.name })
    .from(people)
    .where(inArray(people.id, ids));
  return new Map(rows.map((row) => [`${PERSON_KEY_PREFIX}${row.id}`, row.name]));
}
