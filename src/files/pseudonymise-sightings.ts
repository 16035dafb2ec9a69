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
};

const PERSON_KEY_PREFIX = 'person:';

/**
 * Replaces each sighting's subject key and user with the subject's current pseudonym, and the
 * subject's e-mail address and directory name in the file name with it, as `cases show` does in
 * signal titles and file names.
 */
export async function pseudonymiseSightings(
  db: Executor,
  pseudonymKey: Buffer,
  sightings: readonly FileSighting[],
): Promise<PseudonymousSighting[]> {
  const subjectKeys = sightings.map((sighting) => sighting.subjectKey);
  const pseudonyms = await loadPseudonyms(db, pseudonymKey, subjectKeys);
  const names = await loadDirectoryNames(db, subjectKeys);

  return sightings.map(({ subjectKey, user, ...sighting }) => {
    const pseudonym = pseudonyms.get(subjectKey)!;
    const redact = identityRedactor(
      { name: names.get(subjectKey) ?? null, email: user },
      pseudonym,
    );
    return {
      ...sighting,
      subject: pseudonym,
      fileName: sighting.fileName === null ? null : redact(sighting.fileName),
    };
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
