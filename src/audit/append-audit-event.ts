import { eq, sql } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { auditEvents, auditHeads } from '../store/schema.ts';
import { type AuditContent, chainHash, digestContent, GENESIS_HASH } from './hash-chain.ts';

export type AuditEntry = Omit<AuditContent, 'seq'>;

/**
 * Appends one event to its stream's hash chain. Call it inside the transaction that makes the
 * change it records: the stream's head row stays locked until that transaction ends, so concurrent
 * writers to one stream queue up and the chain never forks.
 */
export async function appendAuditEvent(
  tx: Executor,
  entry: AuditEntry,
): Promise<{ id: number; hash: string }> {
  // One statement creates the head on first use, locks it, and returns the current link: the
  // no-op update on conflict takes the row lock that a plain SELECT … FOR UPDATE would.
  const [head] = await tx
    .insert(auditHeads)
    .values({ stream: entry.stream, seq: 0, hash: GENESIS_HASH })
    .onConflictDoUpdate({ target: auditHeads.stream, set: { stream: sql`excluded.stream` } })
    .returning();
  if (head === undefined) throw new Error(`audit head of stream ${entry.stream} is missing`);

  const content: AuditContent = { ...entry, seq: head.seq + 1 };
  const contentDigest = digestContent(content);
  const hash = chainHash(head.hash, contentDigest);

  const [row] = await tx
    .insert(auditEvents)
    .values({ ...content, data: content.data ?? {}, contentDigest, prevHash: head.hash, hash })
    .returning({ id: auditEvents.id });
  await tx
    .update(auditHeads)
    .set({ seq: content.seq, hash })
    .where(eq(auditHeads.stream, entry.stream));

  return { id: row!.id, hash };
}

/** Returns the number of audit events; for tests and the CLI. */
export async function countAuditEvents(db: Executor): Promise<number> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(auditEvents);
  return row?.count ?? 0;
}
