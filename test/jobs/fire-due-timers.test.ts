import { and, asc, eq, inArray } from 'drizzle-orm';
import { beforeAll, beforeEach, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { fireDueTimers } from '../../src/jobs/fire-due-timers.ts';
import { createLogger } from '../../src/log.ts';
import type { CaseNotifier } from '../../src/outbox/case-notifier.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { type Db, openStore } from '../../src/store/db.ts';
import { auditEvents, cases, caseThreads, outbox, timers } from '../../src/store/schema.ts';
import { defaultBusinessCalendar } from '../../workflows/business-calendar.ts';
import type { CaseContext } from '../../workflows/index.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

// Tuesday 09:00 UTC. SLA hours count in the default calendar, UTC Monday to Friday 09:00 to 17:00.
const openedAt = new Date('2026-12-01T09:00:00Z');
const hoursAfterOpening = (hours: number) =>
  defaultBusinessCalendar.addBusinessHours(openedAt, hours);
const routing = {
  security: { slack: 'CSECURITY1' },
  hr: { slack: 'CHRTEAM01' },
  legal: { slack: 'CLEGAL001' },
};

let subjectCounter = 0;
/** A subject outside the directory, new on every call, so that each test has its own open case. */
const newSubject = () => ({
  email: `timer-subject-${++subjectCounter}-${Math.random().toString(36).slice(2, 8)}@example.com`,
  externalIds: [],
  displayName: null,
});

async function openCases(db: Db, count: number, notifier?: CaseNotifier): Promise<string[]> {
  const batch = Array.from({ length: count }, () => makeSignal({ subject: newSubject() }));
  const results = await db.transaction((tx) =>
    ingestBatch(tx, batch, { reopenWindowHours: 0, now: openedAt, notifier }),
  );
  return results.map((result) => result.caseId!);
}

async function timersOf(db: Db, caseId: string) {
  return db
    .select()
    .from(timers)
    .where(eq(timers.caseId, caseId))
    .orderBy(asc(timers.dueAt), asc(timers.kind));
}

async function auditTypesOf(db: Db, caseId: string): Promise<string[]> {
  const rows = await db
    .select({ type: auditEvents.type })
    .from(auditEvents)
    .where(eq(auditEvents.caseId, caseId))
    .orderBy(asc(auditEvents.seq));
  return rows.map((row) => row.type);
}

async function contextOf(db: Db, caseId: string): Promise<CaseContext> {
  const [row] = await db.select().from(cases).where(eq(cases.id, caseId));
  return (row!.snapshot as { context: CaseContext }).context;
}

describeStores('fire due timers', (current, backend) => {
  const db = () => current().store.db;
  const fire = (now: Date, notifier?: CaseNotifier, limit = 100) =>
    fireDueTimers({ db: db(), logger: silentLogger, notifier, now: () => now }, { limit });

  beforeAll(async () => {
    await seedExampleDirectory(db());
  });

  // Each test starts with no pending timer, so that the counts of a run are that test's own.
  beforeEach(async () => {
    await db().update(timers).set({ status: 'cancelled' }).where(eq(timers.status, 'pending'));
  });

  it('fires a due reminder once', async () => {
    const [caseId] = await openCases(db(), 1);
    const now = hoursAfterOpening(25);

    expect(await fire(now)).toEqual({
      fired: 1,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });

    const [remind, escalate] = await timersOf(db(), caseId!);
    expect(remind!.kind).toBe('remind');
    expect(remind!.status).toBe('done');
    expect(remind!.firedAt).toEqual(now);
    expect(escalate!.kind).toBe('escalate');
    expect(escalate!.status).toBe('pending');

    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, caseId!), eq(auditEvents.type, 'SLA_REMIND')));
    expect(event!.actor).toBe('system:scheduler');
    expect(event!.actorRole).toBe('system');
    expect(event!.outcome).toBe('accepted');
    expect(event!.fromState).toBe('triage');
    expect(event!.toState).toBe('triage');
    expect(event!.at).toEqual(now);
    expect(await auditTypesOf(db(), caseId!)).toEqual(['OPEN', 'SLA_REMIND']);

    const context = await contextOf(db(), caseId!);
    expect(context.reminders).toEqual([{ state: 'triage', at: now.toISOString() }]);
    expect(context.escalations).toEqual([]);
    const [row] = await db().select().from(cases).where(eq(cases.id, caseId!));
    expect(row!.state).toBe('triage');
    expect(row!.version).toBe(2);
    expect((await verifyAudit(db())).ok).toBe(true);
  });

  it('leaves a timer that is not due', async () => {
    const [caseId] = await openCases(db(), 1);

    expect(await fire(hoursAfterOpening(23))).toEqual({
      fired: 0,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });

    expect((await timersOf(db(), caseId!)).map((timer) => timer.status)).toEqual([
      'pending',
      'pending',
    ]);
    expect(await auditTypesOf(db(), caseId!)).toEqual(['OPEN']);
    expect((await contextOf(db(), caseId!)).reminders).toEqual([]);
  });

  it('postpones a timer due at night', async () => {
    const [caseId] = await openCases(db(), 1);
    // Thursday 20:00 UTC, after working hours of the default calendar.
    const evening = new Date('2026-12-03T20:00:00Z');
    const nextMorning = new Date('2026-12-04T09:00:00Z');
    await db()
      .update(timers)
      .set({ dueAt: evening })
      .where(and(eq(timers.caseId, caseId!), eq(timers.kind, 'remind')));

    expect(await fire(new Date('2026-12-03T20:30:00Z'))).toEqual({
      fired: 0,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 1,
    });
    const [remind] = await timersOf(db(), caseId!);
    expect(remind!.kind).toBe('remind');
    expect(remind!.status).toBe('pending');
    expect(remind!.dueAt).toEqual(nextMorning);
    expect(remind!.firedAt).toBeNull();
    expect(await auditTypesOf(db(), caseId!)).toEqual(['OPEN']);

    // Later that night the timer is not due any more.
    expect((await fire(new Date('2026-12-04T03:00:00Z'))).postponed).toBe(0);
    expect((await timersOf(db(), caseId!))[0]!.status).toBe('pending');

    expect(await fire(nextMorning)).toEqual({
      fired: 1,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });
    expect(await auditTypesOf(db(), caseId!)).toEqual(['OPEN', 'SLA_REMIND']);
    expect((await contextOf(db(), caseId!)).reminders).toEqual([
      { state: 'triage', at: nextMorning.toISOString() },
    ]);
  });

  it('cancels a timer of a state the case left', async () => {
    const [caseId] = await openCases(db(), 1);
    await actOnCase(
      { db: db(), logger: silentLogger, now: () => hoursAfterOpening(1) },
      {
        caseRef: caseId!,
        actorEmail: people.analyst,
        event: { type: 'ESCALATE', summary: 'Source code copied to USB' },
      },
    );
    // Leaving triage cancelled its timers; a pending one stands for a timer that outlived its state.
    const [stale] = await db()
      .insert(timers)
      .values({ caseId: caseId!, state: 'triage', kind: 'remind', dueAt: hoursAfterOpening(2) })
      .returning();
    const [before] = await db().select().from(cases).where(eq(cases.id, caseId!));
    const auditBefore = await auditTypesOf(db(), caseId!);

    // Before the first rung of hr_review, so that only the stale timer is due.
    expect(await fire(hoursAfterOpening(3))).toEqual({
      fired: 0,
      cancelled: 1,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });

    const [after] = await db().select().from(timers).where(eq(timers.id, stale!.id));
    expect(after!.status).toBe('cancelled');
    expect(after!.firedAt).toBeNull();
    expect(await auditTypesOf(db(), caseId!)).toEqual(auditBefore);
    expect(auditBefore).toEqual(['OPEN', 'ESCALATE']);
    const [row] = await db().select().from(cases).where(eq(cases.id, caseId!));
    expect(row!.version).toBe(before!.version);
    expect(row!.state).toBe('hr_review');
    const hrTimers = (await timersOf(db(), caseId!)).filter((timer) => timer.state === 'hr_review');
    expect(hrTimers.map((timer) => timer.status)).toEqual(['pending', 'pending', 'pending']);
  });

  it('fires the escalation, and nothing on a second run', async () => {
    const [caseId] = await openCases(db(), 1);
    const now = hoursAfterOpening(73);

    expect(await fire(now)).toEqual({
      fired: 2,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });
    expect(await fire(now)).toEqual({
      fired: 0,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });
    expect(await fire(hoursAfterOpening(200))).toEqual({
      fired: 0,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });

    expect(await auditTypesOf(db(), caseId!)).toEqual(['OPEN', 'SLA_REMIND', 'SLA_ESCALATE']);
    const context = await contextOf(db(), caseId!);
    expect(context.reminders).toEqual([{ state: 'triage', at: now.toISOString() }]);
    expect(context.escalations).toEqual([{ state: 'triage', at: now.toISOString() }]);
    const states = (await timersOf(db(), caseId!)).map((timer) => [timer.kind, timer.status]);
    expect(states).toEqual([
      ['remind', 'done'],
      ['escalate', 'done'],
    ]);
  });

  it('stops at the batch limit, oldest due first', async () => {
    const [first, second] = await openCases(db(), 2);
    await db()
      .update(timers)
      .set({ dueAt: hoursAfterOpening(2) })
      .where(and(eq(timers.caseId, first!), eq(timers.kind, 'remind')));

    expect(await fire(hoursAfterOpening(25), undefined, 1)).toEqual({
      fired: 1,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });

    expect(await auditTypesOf(db(), first!)).toEqual(['OPEN', 'SLA_REMIND']);
    expect(await auditTypesOf(db(), second!)).toEqual(['OPEN']);
  });

  it('queues the notice in the outbox', async () => {
    const notifier = createCaseNotifier(routing, ['slack']);
    const [caseId] = await openCases(db(), 1, notifier);

    expect(await fire(hoursAfterOpening(25), notifier)).toEqual({
      fired: 1,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });

    const messages = await db()
      .select({ kind: outbox.kind, audience: caseThreads.audience, payload: outbox.payload })
      .from(outbox)
      .innerJoin(caseThreads, eq(caseThreads.id, outbox.threadId))
      .where(eq(outbox.caseId, caseId!))
      .orderBy(asc(outbox.id));
    expect(messages.map((message) => `${message.audience}:${message.kind}`)).toEqual([
      'security:card',
      'security:card',
      'security:reply',
    ]);
    expect(messages[2]!.payload).toEqual({
      notice: {
        type: 'SLA_REMIND',
        actor: 'system:scheduler',
        state: 'triage',
        since: openedAt.toISOString(),
        subjectName: null,
      },
    });
  });

  it('logs a failed timer and fires the others', async () => {
    const [broken, healthy] = await openCases(db(), 2);
    const failing: CaseNotifier = {
      async enqueue(_tx, changes) {
        if (changes.some((change) => change.caseId === broken)) {
          throw new Error('notifier unavailable');
        }
      },
    };
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'error',
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });

    const result = await fireDueTimers(
      { db: db(), logger, notifier: failing, now: () => hoursAfterOpening(25) },
      { limit: 100 },
    );

    expect(result).toEqual({ fired: 1, cancelled: 0, failed: 1, deferred: 0, postponed: 0 });
    const [brokenRemind] = await timersOf(db(), broken!);
    expect(brokenRemind!.status).toBe('pending');
    expect(brokenRemind!.firedAt).toBeNull();
    expect(await auditTypesOf(db(), broken!)).toEqual(['OPEN']);
    expect(await auditTypesOf(db(), healthy!)).toEqual(['OPEN', 'SLA_REMIND']);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.timerId).toBe(brokenRemind!.id);
    expect(lines[0]!.caseId).toBe(broken);
    expect(lines[0]!.msg).toBe('SLA timer failed and stays pending for the next run');

    // The next run retries the timer that failed.
    expect(await fire(hoursAfterOpening(25))).toEqual({
      fired: 1,
      cancelled: 0,
      failed: 0,
      deferred: 0,
      postponed: 0,
    });
    expect(await auditTypesOf(db(), broken!)).toEqual(['OPEN', 'SLA_REMIND']);
  });

  it.runIf(backend === 'postgres')('defers a timer whose case is locked', async () => {
    const [caseId] = await openCases(db(), 1);
    const now = hoursAfterOpening(25);
    const other = await openStore({ databaseUrl: current().databaseUrl! });
    try {
      const whileLocked = await db().transaction(async (tx) => {
        await tx.select().from(cases).where(eq(cases.id, caseId!)).for('update');
        return fireDueTimers(
          { db: other.db, logger: silentLogger, now: () => now },
          { limit: 100 },
        );
      });
      expect(whileLocked).toEqual({ fired: 0, cancelled: 0, failed: 0, deferred: 1, postponed: 0 });
      expect((await timersOf(db(), caseId!))[0]!.status).toBe('pending');
      expect(await auditTypesOf(db(), caseId!)).toEqual(['OPEN']);

      expect(
        await fireDueTimers({ db: other.db, logger: silentLogger, now: () => now }, { limit: 100 }),
      ).toEqual({ fired: 1, cancelled: 0, failed: 0, deferred: 0, postponed: 0 });
    } finally {
      await other.close();
    }
    expect(await auditTypesOf(db(), caseId!)).toEqual(['OPEN', 'SLA_REMIND']);
  });

  it.runIf(backend === 'postgres')('fires each timer once with two schedulers', async () => {
    const caseIds = await openCases(db(), 100);
    const now = hoursAfterOpening(73);
    const stores = await Promise.all([
      openStore({ databaseUrl: current().databaseUrl! }),
      openStore({ databaseUrl: current().databaseUrl! }),
    ]);
    try {
      const runs = await Promise.all(
        stores.map((store) =>
          fireDueTimers({ db: store.db, logger: silentLogger, now: () => now }, { limit: 1000 }),
        ),
      );
      // A timer deferred by one run because the other held its case is fired by the next run.
      const drain = await fire(now, undefined, 1000);

      const all = [...runs, drain];
      expect(all.reduce((sum, run) => sum + run.fired, 0)).toBe(200);
      expect(all.reduce((sum, run) => sum + run.failed + run.cancelled, 0)).toBe(0);
      expect(await fire(now, undefined, 1000)).toEqual({
        fired: 0,
        cancelled: 0,
        failed: 0,
        deferred: 0,
        postponed: 0,
      });
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }

    const events = await db()
      .select({ caseId: auditEvents.caseId, type: auditEvents.type })
      .from(auditEvents)
      .where(
        and(
          inArray(auditEvents.caseId, caseIds),
          inArray(auditEvents.type, ['SLA_REMIND', 'SLA_ESCALATE']),
        ),
      );
    const perTimer = new Map<string, number>();
    for (const event of events) {
      const key = `${event.caseId}|${event.type}`;
      perTimer.set(key, (perTimer.get(key) ?? 0) + 1);
    }
    expect(perTimer.size).toBe(200);
    expect([...perTimer.values()].every((count) => count === 1)).toBe(true);
    const statuses = await db()
      .select({ status: timers.status })
      .from(timers)
      .where(inArray(timers.caseId, caseIds));
    expect(statuses).toHaveLength(200);
    expect(statuses.every((row) => row.status === 'done')).toBe(true);
    expect((await verifyAudit(db())).ok).toBe(true);
  });
});
