import { and, eq, inArray } from 'drizzle-orm';
import type { RevealState } from '../chat/view-model.ts';
import type { Executor } from '../store/db.ts';
import { identityReveals } from '../store/schema.ts';

export interface RevealOptions {
  /**
   * True only where the view goes to the case's security thread (the outbox, a card refreshed in
   * place). Elsewhere, such as a private `/case show`, an approved reveal stays hidden.
   */
  includeReveal?: boolean;
  /** The time an approved reveal is checked against; now by default. */
  now?: Date;
}

/**
 * Loads the open reveal request or live reveal of a case. An approved reveal counts only while it
 * has not expired, even before the expiry job has marked it, and only with `includeReveal`.
 */
export async function loadRevealState(
  db: Executor,
  caseId: string,
  options: RevealOptions = {},
): Promise<RevealState | null> {
  const [row] = await db
    .select()
    .from(identityReveals)
    .where(
      and(
        eq(identityReveals.caseId, caseId),
        inArray(identityReveals.status, ['pending', 'approved']),
      ),
    )
    .limit(1);
  if (row === undefined) return null;

  if (row.status === 'pending') {
    return { status: 'pending', requestedBy: row.requestedBy, reason: row.reason };
  }
  const now = options.now ?? new Date();
  if (options.includeReveal !== true || row.expiresAt === null || row.expiresAt <= now) return null;
  return {
    status: 'approved',
    requestedBy: row.requestedBy,
    approvedBy: row.decidedBy ?? 'unknown',
    expiresAt: row.expiresAt.toISOString(),
  };
}
