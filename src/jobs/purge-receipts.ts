import { lt } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { inboundReceipts, webhookReceipts } from '../store/schema.ts';

const DAY_MS = 86_400_000;

/**
 * How long idempotency keys are kept. Chat platforms redeliver within minutes and Standard
 * Webhooks rejects deliveries signed more than 5 minutes ago, so two days leaves a wide margin.
 */
export const receiptRetentionDays = 2;

/** Deletes inbound chat and webhook idempotency keys older than the retention; returns the counts. */
export async function purgeReceipts(
  db: Executor,
  now: Date,
): Promise<{ inbound: number; webhook: number }> {
  const cutoff = new Date(now.getTime() - receiptRetentionDays * DAY_MS);
  const inbound = await db
    .delete(inboundReceipts)
    .where(lt(inboundReceipts.receivedAt, cutoff))
    .returning({ key: inboundReceipts.key });
  const webhook = await db
    .delete(webhookReceipts)
    .where(lt(webhookReceipts.receivedAt, cutoff))
    .returning({ id: webhookReceipts.webhookId });
  return { inbound: inbound.length, webhook: webhook.length };
}
