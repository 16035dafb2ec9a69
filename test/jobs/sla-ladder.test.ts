import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { fireDueTimers } from '../../src/jobs/fire-due-timers.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { auditEvents, caseThreads, outbox, timers } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { drainOutbox } from '../support/drain-outbox.ts';
import { type FakeSlackApi, startCaseWorkspace } from '../support/fake-slack-api.ts';
import { describeStores } from '../support/stores.ts';
import { TestClock } from '../support/test-clock.ts';

const routing = { security: { slack: 'CSECURITY1' }, hr: { slack: 'CHRTEAM01' } };
const notifier = createCaseNotifier(routing, ['slack']);

// Monday 2026-12-07 10:00 UTC, inside the default calendar's working hours.
const monday = new Date('2026-12-07T10:00:00Z');

describeStores('SLA ladder', (current) => {
  let slack: FakeSlackApi;
  const clock = new TestClock(monday.getTime());
  const now = clock.now;
  const db = () => current().store.db;

  const drain = () => drainOutbox({ db: db(), slack, clock });

  /** Opens a case for the subject and takes it to manager_notice on Monday morning. */
  const enterManagerNotice = async (subject: string) => {
    clock.set(monday.getTime());
    const [opened] = await db().transaction((tx) =>
      ingestBatch(
        tx,
        [makeSignal({ subject: { email: subject, externalIds: [], displayName: null } })],
        { reopenWindowHours: 0, now: now(), notifier },
      ),
    );
    const caseId = opened!.caseId!;
    const deps = { db: db(), logger: silentLogger, notifier, now };
    await actOnCase(deps, {
      caseRef: caseId,
      actorEmail: people.analyst,
      event: { type: 'ESCALATE', summary: 'Copied source code to USB' },
    });
    await actOnCase(deps, {
      caseRef: caseId,
      actorEmail: people.hr,
      event: { type: 'CHOOSE_RESPONSE', response: 'involve_manager' },
    });
    await drain();
    return caseId;
  };

  /** Fires every due timer a fortnight later, when both rungs of manager_notice are due. */
  const fireLater = async (caseId: string) => {
    clock.set(monday.getTime() + 14 * 24 * 3600_000);
    const result = await fireDueTimers(
      { db: db(), logger: silentLogger, notifier, now },
      { limit: 1000 },
    );
    const fired = await db()
      .select()
      .from(timers)
      .where(and(eq(timers.caseId, caseId), eq(timers.status, 'done')));
    await drain();
    return { result, fired };
  };

  const threadRoot = async (caseId: string, audience: string) => {
    const [thread] = await db()
      .select()
      .from(caseThreads)
      .where(and(eq(caseThreads.caseId, caseId), eq(caseThreads.audience, audience)));
    return thread!;
  };

  beforeAll(async () => {
    slack = await startCaseWorkspace();
    slack.users.set('UOLIVIA', { email: 'olivia.park@example.com' });
    await seedExampleDirectory(db());
  });

  afterAll(async () => {
    await slack.close();
  });

  it('asks the manager’s manager at escalation', async () => {
    const caseId = await enterManagerNotice(people.subject);
    const { fired } = await fireLater(caseId);

    expect(fired.map((timer) => [timer.kind, timer.step]).sort()).toEqual([
      ['escalate', 1],
      ['remind', 0],
    ]);
    const audit = await db()
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.caseId, caseId),
          inArray(auditEvents.type, ['SLA_REMIND', 'SLA_ESCALATE']),
        ),
      );
    expect(audit.map((event) => event.type).sort()).toEqual(['SLA_ESCALATE', 'SLA_REMIND']);

    const direct = await db()
      .select()
      .from(outbox)
      .where(and(eq(outbox.caseId, caseId), eq(outbox.kind, 'direct')));
    expect(direct).toHaveLength(1);
    expect(direct[0]!.status).toBe('sent');
    expect(direct[0]!.payload).toMatchObject({ to: 'olivia.park@example.com' });

    const toOlivia = [...slack.messages.values()].filter((message) =>
      message.text?.includes('Please ask Maria Gomez'),
    );
    expect(toOlivia).toHaveLength(1);
    expect(toOlivia[0]!.channel).toMatch(/^D/);
    expect(toOlivia[0]!.text).not.toContain('Dana');
    expect(toOlivia[0]!.text).not.toContain(people.subject);

    const manager = await threadRoot(caseId, 'manager');
    const managerReplies = [...slack.messages.values()].filter(
      (message) => message.channel === manager.channel && message.threadTs === manager.rootId,
    );
    expect(managerReplies.map((message) => message.text)).toContain(
      'Reminder: HR is waiting for you to acknowledge the notice about Dana Lee.',
    );
    const hr = await threadRoot(caseId, 'hr');
    const hrReplies = [...slack.messages.values()]
      .filter((message) => message.channel === 'CHRTEAM01' && message.threadTs === hr.rootId)
      .map((message) => message.text ?? '');
    expect(hrReplies.some((text) => text.includes('past its deadline'))).toBe(true);
  });

  it('tells HR when no manager is above', async () => {
    // Lee Chen's manager is Olivia Park, whom the directory gives no manager.
    const caseId = await enterManagerNotice('lee.chen@example.com');
    await fireLater(caseId);

    const direct = await db()
      .select()
      .from(outbox)
      .where(and(eq(outbox.caseId, caseId), eq(outbox.kind, 'direct')));
    expect(direct).toHaveLength(0);
    const hr = await threadRoot(caseId, 'hr');
    const hrReplies = [...slack.messages.values()]
      .filter((message) => message.channel === 'CHRTEAM01' && message.threadTs === hr.rootId)
      .map((message) => message.text ?? '');
    expect(hrReplies).toContain(
      "The manager's notice is past its deadline, and the directory names no manager above Olivia Park to ask. Follow up with Olivia Park directly.",
    );
  });

  it('fires a batch with two rungs per case', async () => {
    const first = await enterManagerNotice('sam.ortiz@example.com');
    const { result } = await fireLater(first);
    expect(result.failed).toBe(0);
    expect(result.deferred).toBe(0);
    const done = await db()
      .select()
      .from(timers)
      .where(and(eq(timers.caseId, first), eq(timers.status, 'done')));
    expect(done).toHaveLength(2);
  });
});
