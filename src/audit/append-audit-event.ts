import { sql } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { auditEvents, auditHeads } from '../store/schema.ts';
import { type AuditContent, chainHash, digestContent, GENESIS_HASH } from './hash-chain.ts';

export type AuditEntry = Omit<AuditContent, 'seq'>;

/**
 * Appends events to their streams' hash chains, in the order given within each stream. Call it
 * inside the transaction that makes the change the events record: each stream's head row stays
 * locked until that transaction ends, so concurrent writers to one stream queue up and the chain
 * never forks. Heads are locked in stream order, so two batches cannot deadlock on them.
 */
export async function appendAuditEvents(tx: Executor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const streams = [...new Set(entries.map((entry) => entry.stream))].sort();

  // One statement creates missing heads, locks every head, and returns the current links: the
  // no-op update on conflict takes the row lock that a SELECT … FOR UPDATE would.
  const heads = await tx
    .insert(auditHeads)
    .values(streams.map((stream) => ({ stream, seq: 0, hash: GENESIS_HASH })))
    .onConflictDoUpdate({ target: auditHeads.stream, set: { stream: sql`excluded.stream` } })
    .returning();
  const links = new Map(heads.map((head) => [head.stream, { seq: head.seq, hash: head.hash }]));

  const rows = entries.map((entry) => {
    const link = links.get(entry.stream)!;
    const content: AuditContent = { ...entry, seq: link.seq + 1 };
    const contentDigest = digestContent(content);
    const hash = chainHash(link.hash, contentDigest);
    const row = { ...content, data: content.data ?? {}, contentDigest, prevHash: link.hash, hash };
    links.set(entry.stream, { seq: content.seq, hash });
    return row;
  });
  await tx.insert(auditEvents).values(rows);

  const values = streams.map((stream) => {
    const link = links.get(stream)!;
    return sql`(${stream}, ${link.seq}::int, ${link.hash})`;
  });
  await tx.execute(sql`
    update audit_heads as h set seq = v.seq, hash = v.hash
    from (values ${sql.join(values, sql`, `)}) as v(stream, seq, hash)
    where h.stream = v.stream`);
}

/** Appends one event to its stream's hash chain; see appendAuditEvents. */
export async function appendAuditEvent(tx: Executor, entry: AuditEntry): Promise<void> {
  await appendAuditEvents(tx, [entry]);
}
