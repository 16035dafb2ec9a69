import { asc, eq } from 'drizzle-orm';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { createScheduler } from '../../src/jobs/scheduler.ts';
import { createLogger } from '../../src/log.ts';
import { timers } from '../../src/store/schema.ts';
import { makeSignal, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

// Tuesday 09:00 UTC. The triage reminder comes due 24 business hours later, on Friday at 09:00.
const openedAt = new Date('2026-12-01T09:00:00Z');
const afterReminderDue = new Date('2026-12-04T10:00:00Z');

describeStores('scheduler', (current) => {
  const db = () => current().store.db;
  const openCase = async () => {
    const subject = {
      email: `scheduler-${Math.random().toString(36).slice(2, 10)}@example.com`,
      externalIds: [],
      displayName: null,
    };
    const [result] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal({ subject })], { reopenWindowHours: 0, now: openedAt }),
    );
    return result!.caseId!;
  };
  const statusesOf = async (caseId: string) =>
    (
      await db()
        .select({ status: timers.status })
        .from(timers)
        .where(eq(timers.caseId, caseId))
        .orderBy(asc(timers.dueAt))
    ).map((row) => row.status);

  beforeAll(async () => {
    await seedExampleDirectory(db());
  });

  beforeEach(async () => {
    await db().update(timers).set({ status: 'cancelled' }).where(eq(timers.status, 'pending'));
  });

  it('runs the timers and logs the counts', async () => {
    const caseId = await openCase();
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    const scheduler = createScheduler({
      store: current().store,
      logger,
      now: () => afterReminderDue,
    });

    expect(await scheduler.runTimers()).toEqual({
      fired: 1,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });

    expect(await statusesOf(caseId)).toEqual(['done', 'pending']);
    const finished = lines.find((line) => line.msg === 'job run finished');
    expect(finished?.job).toBe('fire-due-timers');
    expect(finished?.fired).toBe(1);
    expect(finished?.level).toBe(30);
    expect(typeof finished?.durationMs).toBe('number');
  });

  it('fires due timers on its cron schedule', async () => {
    const caseId = await openCase();
    const scheduler = createScheduler({
      store: current().store,
      logger: silentLogger,
      now: () => afterReminderDue,
      timersCron: '* * * * * *',
    });

    scheduler.start();
    try {
      const deadline = Date.now() + 5000;
      while ((await statusesOf(caseId))[0] !== 'done' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await scheduler.stop();
    }

    expect(await statusesOf(caseId)).toEqual(['done', 'pending']);
  });

  it('rejects an invalid cron expression', () => {
    expect(() =>
      createScheduler({ store: current().store, logger: silentLogger, timersCron: 'every minute' }),
    ).toThrow('invalid cron expression');
  });

  it('rejects a batch limit below one', () => {
    expect(() =>
      createScheduler({ store: current().store, logger: silentLogger, timersBatchLimit: 0 }),
    ).toThrow('invalid SLA timer batch limit');
  });
});
