import { and, asc, eq, inArray, isNull, lt, lte, notExists, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../store/db.ts';
import { caseThreads, outbox } from '../store/schema.ts';

export type OutboxRow = typeof outbox.$inferSelect;
export type ThreadRow = typeof caseThreads.$inferSelect;

export interface ClaimedMessage {
  message: OutboxRow;
  thread: ThreadRow;
}

/**
 * Claims the next deliverable message of up to `limit` threads and leases them to this worker.
 * Only the oldest pending message of a thread is deliverable, and rows other workers hold are
 * skipped (`FOR UPDATE SKIP LOCKED`), so each thread's messages go out in order, one at a time,
 * across any number of workers. A lease that runs out (its worker died) makes the row claimable again.
 */
export async function claimOutbox(
  db: Db,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<ClaimedMessage[]> {
  return db.transaction(async (tx) => {
    const earlier = alias(outbox, 'earlier');
    const heads = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.status, 'pending'),
          lte(outbox.nextAttemptAt, now),
          or(isNull(outbox.leaseUntil), lt(outbox.leaseUntil, now)),
          notExists(
            tx
              .select({ id: earlier.id })
              .from(earlier)
              .where(
                and(
                  eq(earlier.threadId, outbox.threadId),
                  eq(earlier.status, 'pending'),
                  lt(earlier.id, outbox.id),
                ),
              ),
          ),
        ),
      )
      .orderBy(asc(outbox.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (heads.length === 0) return [];

    const messages = await tx
      .update(outbox)
      .set({ leaseUntil: new Date(now.getTime() + leaseMs), attempts: sql`${outbox.attempts} + 1` })
      .where(
        inArray(
          outbox.id,
          heads.map((head) => head.id),
        ),
      )
      .returning();
    const threads = await tx
      .select()
      .from(caseThreads)
      .where(inArray(caseThreads.id, [...new Set(messages.map((message) => message.threadId))]));
    const byId = new Map(threads.map((thread) => [thread.id, thread]));

    return messages
      .sort((a, b) => a.id - b.id)
      .map((message) => ({ message, thread: byId.get(message.threadId)! }));
  });
}
