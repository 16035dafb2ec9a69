import { and, eq, inArray } from 'drizzle-orm';
import type { RevealNotice } from '../chat/notice.ts';
import type { Executor } from '../store/db.ts';
import { caseThreads, outbox } from '../store/schema.ts';

/**
 * Queues the chat messages of a reveal change in the case's security and HR threads on every
 * platform: a card refresh, so that the security card shows or hides the identity, and a reply
 * with the notice. Cases without threads (no chat platform) get nothing.
 */
export async function enqueueRevealMessages(
  tx: Executor,
  caseId: string,
  notice: { actor: string } & RevealNotice,
): Promise<void> {
  const threads = await tx
    .select({ id: caseThreads.id })
    .from(caseThreads)
    .where(and(eq(caseThreads.caseId, caseId), inArray(caseThreads.audience, ['security', 'hr'])));
  if (threads.length === 0) return;

  await tx.insert(outbox).values(
    threads.flatMap((thread) => [
      { threadId: thread.id, caseId, kind: 'card', payload: {} },
      { threadId: thread.id, caseId, kind: 'reply', payload: { notice } },
    ]),
  );
}
