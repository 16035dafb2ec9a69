import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { caseThreads, outbox } from '../store/schema.ts';
import type { AlertPayload } from './deliver-alert.ts';

/** A thread of a case that receives nothing more, and the alert that explains why. */
export interface BlockedThread {
  audience: string;
  platform: string;
  /** `subject_in_channel`, `unidentified_members`, `manager_unreachable` or `no_manager`. */
  reason: string;
  /** Null when the block raises no alert (`no_manager`, or a block from before alerts were queued). */
  alert: {
    status: 'pending' | 'sent' | 'dead';
    /** The audience that received the alert, once sent. */
    alertedAudience: string | null;
    /** The last delivery error: why the alert is not sent yet, or why no audience could receive it. */
    error: string | null;
  } | null;
}

/** Loads the blocked threads of a case, with the latest alert queued in each. */
export async function loadBlockedThreads(db: Executor, caseId: string): Promise<BlockedThread[]> {
  const threads = await db
    .select()
    .from(caseThreads)
    .where(and(eq(caseThreads.caseId, caseId), isNotNull(caseThreads.blockedReason)))
    .orderBy(asc(caseThreads.createdAt), asc(caseThreads.id));
  if (threads.length === 0) return [];

  const alerts = await db
    .select()
    .from(outbox)
    .where(
      and(
        inArray(
          outbox.threadId,
          threads.map((thread) => thread.id),
        ),
        eq(outbox.kind, 'alert'),
      ),
    )
    .orderBy(asc(outbox.id));
  // Rows come in id order, so the last one set per thread is its latest alert.
  const latestAlert = new Map(alerts.map((row) => [row.threadId, row]));

  return threads.map((thread) => {
    const row = latestAlert.get(thread.id);
    return {
      audience: thread.audience,
      platform: thread.platform,
      reason: thread.blockedReason!,
      alert:
        row === undefined
          ? null
          : {
              status: row.status as 'pending' | 'sent' | 'dead',
              alertedAudience: (row.payload as AlertPayload).alerted ?? null,
              error: row.lastError,
            },
    };
  });
}
