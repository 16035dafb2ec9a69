import { createHmac, randomBytes } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import type { Executor } from '../store/db.ts';
import { settings, subjectPseudonyms } from '../store/schema.ts';

const KEY_SETTING = 'pseudonym_key';
const KEY_VERSION_SETTING = 'pseudonym_key_version';
/** The audit stream of privacy events that belong to no case, such as key rotations. */
export const PRIVACY_AUDIT_STREAM = 'privacy';
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
 * Replaces the pseudonym key with a new random one, so that every subject gets a new pseudonym,
 * and audits who did it. Returns the new key version (the first key is version 1). Processes that
 * loaded the old key keep deriving old pseudonyms until they restart.
 */
export async function rotatePseudonymKey(
  db: Executor,
  actor: string,
  at: Date,
): Promise<{ version: number }> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(settings)
      .where(eq(settings.key, KEY_VERSION_SETTING))
      .for('update');
    const version = (current === undefined ? 1 : Number(current.value)) + 1;
    const key = randomBytes(32).toString('base64');

    await tx
      .insert(settings)
      .values({ key: KEY_SETTING, value: key })
      .onConflictDoUpdate({ target: settings.key, set: { value: key, createdAt: at } });
    await tx
      .insert(settings)
      .values({ key: KEY_VERSION_SETTING, value: String(version) })
      .onConflictDoUpdate({ target: settings.key, set: { value: String(version), createdAt: at } });
    await appendAuditEvent(tx, {
      stream: PRIVACY_AUDIT_STREAM,
      caseId: null,
      type: 'PSEUDONYM_KEY_ROTATED',
      outcome: 'accepted',
      actor,
      actorRole: 'admin',
      at,
      fromState: null,
      toState: null,
      reason: null,
      data: { version },
    });
    return { version };
  });
}

/** Returns the pseudonym generation of a subject: 1 until a reveal of their identity has ended. */
export async function loadPseudonymGeneration(db: Executor, subjectKey: string): Promise<number> {
  const [row] = await db
    .select({ generation: subjectPseudonyms.generation })
    .from(subjectPseudonyms)
    .where(eq(subjectPseudonyms.subjectKey, subjectKey));
  return row?.generation ?? 1;
}

/**
 * Derives the current pseudonyms of several subjects, with one query for their generations, so
 * that a list of subjects shows each as its case views do. Returns a map keyed by subject key.
 */
export async function loadPseudonyms(
  db: Executor,
  key: Buffer,
  subjectKeys: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(subjectKeys)];
  const generations = new Map<string, number>();
  if (unique.length > 0) {
    const rows = await db
      .select()
      .from(subjectPseudonyms)
      .where(inArray(subjectPseudonyms.subjectKey, unique));
    for (const row of rows) generations.set(row.subjectKey, row.generation);
  }
  return new Map(
    unique.map((subjectKey) => [
      subjectKey,
      pseudonymFor(key, subjectKey, generations.get(subjectKey) ?? 1),
    ]),
  );
}

/** Moves a subject to the next pseudonym generation and returns it. */
export async function advancePseudonymGeneration(
  tx: Executor,
  subjectKey: string,
  at: Date,
): Promise<number> {
  const [row] = await tx
    .insert(subjectPseudonyms)
    .values({ subjectKey, generation: 2, updatedAt: at })
    .onConflictDoUpdate({
      target: subjectPseudonyms.subjectKey,
      set: { generation: sql`${subjectPseudonyms.generation} + 1`, updatedAt: at },
    })
    .returning({ generation: subjectPseudonyms.generation });
  return row!.generation;
}

/**
 * Derives the pseudonym of a subject, such as `Subject 7F3K-Q9`: an HMAC-SHA256 of the subject key
 * and its generation, so the same person keeps one pseudonym within a generation and nobody
 * without the key can tell who it is. Generation 1 hashes the subject key alone, which keeps the
 * pseudonyms issued before generations existed.
 */
export function pseudonymFor(key: Buffer, subjectKey: string, generation = 1): string {
  const input = generation <= 1 ? subjectKey : `${subjectKey}\u0000${generation}`;
  const digest = createHmac('sha256', key).update(input, 'utf8').digest();
  let code = '';
  for (let i = 0; i < 6; i++) code += ALPHABET[digest[i]! % 32];
  return `Subject ${code.slice(0, 4)}-${code.slice(4)}`;
}
