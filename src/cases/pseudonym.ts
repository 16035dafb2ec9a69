import { createHmac, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { settings } from '../store/schema.ts';

const KEY_SETTING = 'pseudonym_key';
/** Crockford's base32 alphabet: no I, L, O or U, so a pseudonym reads aloud without confusion. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Returns the key that pseudonyms are derived from. It is generated once and kept in the database,
 * so every replica derives the same pseudonym for a subject.
 */
export async function loadPseudonymKey(db: Executor): Promise<Buffer> {
  await db
    .insert(settings)
    .values({ key: KEY_SETTING, value: randomBytes(32).toString('base64') })
    .onConflictDoNothing();
  const [row] = await db.select().from(settings).where(eq(settings.key, KEY_SETTING));
  return Buffer.from(row!.value, 'base64');
}

/**
 * Derives the stable pseudonym of a subject, such as `Subject 7F3K-Q9`: an HMAC-SHA256 of the
 * subject key, so the same person always gets the same pseudonym and nobody without the key can
 * tell who it is.
 */
export function pseudonymFor(key: Buffer, subjectKey: string): string {
  const digest = createHmac('sha256', key).update(subjectKey, 'utf8').digest();
  let code = '';
  for (let i = 0; i < 6; i++) code += ALPHABET[digest[i]! % 32];
  return `Subject ${code.slice(0, 4)}-${code.slice(4)}`;
}
