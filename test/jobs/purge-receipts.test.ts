import { expect, it } from 'vitest';
import { createCronJob } from '../../src/jobs/cron-job.ts';
import { createLeaderLock } from '../../src/jobs/leader.ts';
import { purgeReceipts } from '../../src/jobs/purge-receipts.ts';
import { inboundReceipts, webhookReceipts } from '../../src/store/schema.ts';
import { silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const now = new Date('2026-12-04T12:00:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);

describeStores('receipt purge', (current) => {
  it('deletes keys older than two days only', async () => {
    const { db } = current().store;
    await db.insert(inboundReceipts).values([
      { key: 'slack:event:old', receivedAt: hoursAgo(49) },
      { key: 'slack:event:new', receivedAt: hoursAgo(47) },
    ]);
    await db.insert(webhookReceipts).values([
      { feed: 'incydr', webhookId: 'msg_old', receivedAt: hoursAgo(72) },
      { feed: 'incydr', webhookId: 'msg_new', receivedAt: hoursAgo(1) },
    ]);

    expect(await purgeReceipts(db, now)).toEqual({ inbound: 1, webhook: 1 });
    expect((await db.select().from(inboundReceipts)).map((row) => row.key)).toEqual([
      'slack:event:new',
    ]);
    expect((await db.select().from(webhookReceipts)).map((row) => row.webhookId)).toEqual([
      'msg_new',
    ]);
    expect(await purgeReceipts(db, now)).toEqual({ inbound: 0, webhook: 0 });
  });

  it('runs as a cron job under the leader lock', async () => {
    const store = current().store;
    const leader = createLeaderLock({ store, logger: silentLogger });
    await store.db
      .insert(inboundReceipts)
      .values({ key: 'teams:activity:old', receivedAt: hoursAgo(100) });
    const job = createCronJob(
      { leader, logger: silentLogger },
      { name: 'purge-receipts', cron: '0 * * * *', run: () => purgeReceipts(store.db, now) },
    );
    expect(await job.runOnce()).toEqual({ inbound: 1, webhook: 0 });
    expect(() =>
      createCronJob(
        { leader, logger: silentLogger },
        { name: 'broken', cron: 'every hour', run: async () => 0 },
      ),
    ).toThrow(/invalid cron expression/);
  });
});
