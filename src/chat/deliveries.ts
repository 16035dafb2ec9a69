import { createHash } from 'node:crypto';
import type { Db } from '../store/db.ts';
import { inboundReceipts } from '../store/schema.ts';

/**
 * Records a delivery's idempotency key in `inbound_receipts`. Returns true the first time, and
 * false for a delivery already recorded: a retry, or the same click delivered twice.
 */
export async function claimDelivery(db: Db, key: string): Promise<boolean> {
  const inserted = await db
    .insert(inboundReceipts)
    .values({ key })
    .onConflictDoNothing()
    .returning({ key: inboundReceipts.key });
  return inserted.length > 0;
}

/** Returns the key of a button click; Slack sends the same `action_ts` again only for the same click. */
export function actionDeliveryKey(click: {
  teamId: string | null;
  userId: string;
  actionId: string;
  actionTs: string;
}): string {
  return `slack:action:${click.teamId ?? '-'}:${click.userId}:${click.actionId}:${click.actionTs}`;
}

/**
 * Returns the key of a form submission: the modal's view id and a digest of the values. A corrected
 * submission of the same modal has other values and counts as new.
 */
export function viewDeliveryKey(viewId: string, values: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 32);
  return `slack:view:${viewId}:${digest}`;
}

/** Returns the key of a slash command; each invocation gets its own `trigger_id`. */
export function commandDeliveryKey(triggerId: string): string {
  return `slack:command:${triggerId}`;
}

/** Returns the key of an Events API delivery; retries carry the same `event_id`. */
export function eventDeliveryKey(eventId: string): string {
  return `slack:event:${eventId}`;
}
