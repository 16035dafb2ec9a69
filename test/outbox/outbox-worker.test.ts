import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { loadPseudonymKey } from '../../src/cases/pseudonym.ts';
import { loadCaseView } from '../../src/chat/load-case-view.ts';
import { createSlackClient, SlackChatPort } from '../../src/chat/slack/slack-port.ts';
import { claimOutbox } from '../../src/outbox/claim-outbox.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { createOutboxWorker, type OutboxWorker } from '../../src/outbox/outbox-worker.ts';
import { openStore } from '../../src/store/db.ts';
import { caseThreads, outbox } from '../../src/store/schema.ts';
import { openCaseFor, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { type FakeSlackApi, startCaseWorkspace } from '../support/fake-slack-api.ts';
import { describeStores } from '../support/stores.ts';

const routing = {
  security: { slack: 'CSECURITY1' },
  hr: { slack: 'CHRTEAM01' },
  legal: { slack: 'CLEGAL001' },
};
const notifier = createCaseNotifier(routing, ['slack']);

describeStores('outbox worker', (current, backend) => {
  let slack: FakeSlackApi;
  let clock = Date.now();
  const now = () => new Date(clock);
  const db = () => current().store.db;

  const makeWorker = (database = db()): OutboxWorker => {
    const port = new SlackChatPort(
      createSlackClient({ token: 'xoxb-test', slackApiUrl: slack.url, logger: silentLogger }),
    );
    return createOutboxWorker({
      db: database,
      logger: silentLogger,
      ports: { slack: port },
      renderView: async (caseId, audience) =>
        loadCaseView(db(), await loadPseudonymKey(db()), caseId, audience, 'en'),
      now,
      memberCacheMs: 0,
    });
  };

  /** Runs rounds, moving the clock a second each time, until nothing is left to deliver. */
  const drain = async (worker: OutboxWorker, maxRounds = 200) => {
    for (let round = 0; round < maxRounds; round++) {
      await worker.runOnce();
      const pending = await db()
        .select({ id: outbox.id })
        .from(outbox)
        .where(eq(outbox.status, 'pending'));
      if (pending.length === 0) return round;
      clock += 1000;
    }
    const left = await db().select().from(outbox).where(eq(outbox.status, 'pending'));
    throw new Error(`outbox did not drain: ${JSON.stringify(left.slice(0, 3))}`);
  };

  const openCase = (email: string) => openCaseFor(db(), email, { now: now(), notifier });
  const act = (
    caseRef: string,
    actorEmail: string,
    event: Record<string, unknown> & { type: string },
  ) => actOnCase({ db: db(), logger: silentLogger, notifier, now }, { caseRef, actorEmail, event });

  beforeAll(async () => {
    slack = await startCaseWorkspace();
    slack.users.set('UDANA', { email: people.subject });
    slack.users.set('USAM', { email: 'sam.ortiz@example.com' });
    slack.members.set('CLEGAL001', []);
    await seedExampleDirectory(db());
  });

  afterAll(async () => {
    await slack.close();
  });

  it('posts cards, updates them in place and replies in threads', async () => {
    const caseId = await openCase(people.subject);
    await act(caseId, people.analyst, { type: 'ESCALATE', summary: 'Copied source code to USB' });
    await act(caseId, people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });
    await drain(makeWorker());

    const threads = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const root = Object.fromEntries(threads.map((thread) => [thread.audience, thread.rootId]));
    expect(root.security).toMatch(/^\d+\.\d+$/);
    expect(root.hr).toMatch(/^\d+\.\d+$/);
    expect(root.manager).toMatch(/^\d+\.\d+$/);

    const security = [...slack.messages.values()].filter(
      (message) => message.channel === 'CSECURITY1',
    );
    const cards = security.filter((message) => message.threadTs === null);
    const replies = security.filter((message) => message.threadTs === root.security);
    expect(cards).toHaveLength(1);
    expect(replies.map((message) => message.text)).toEqual([
      `${people.analyst} escalated this case to HR.`,
      `${people.hr} chose the response: Involve the subject's manager.`,
    ]);
    const updates = slack.callsTo('chat.update').filter((call) => call.body.ts === root.security);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const securityText = JSON.stringify(slack.messages.get(`CSECURITY1:${root.security}`));
    expect(securityText).not.toContain('Dana Lee');
    expect(securityText).not.toContain(people.subject);

    const direct = slack.callsTo('conversations.open');
    expect(direct).toHaveLength(1);
    const managerCard = JSON.stringify(
      [...slack.messages.values()].find((message) => message.ts === root.manager),
    );
    expect(managerCard).not.toContain('Copied source code');
    expect(managerCard).not.toContain('removable');
  });

  it('delivers every message once and in order through a 429 storm', async () => {
    const caseId = await openCase('lee.chen@example.com');
    await act(caseId, people.analyst, { type: 'NOTE', text: 'first' });
    await act(caseId, people.analyst, { type: 'NOTE', text: 'second' });
    await act(caseId, people.analyst, { type: 'NOTE', text: 'third' });
    slack.failNext('chat.postMessage', 4, { status: 429, retryAfterSeconds: 2 });
    slack.failNext('chat.update', 2, { status: 503 });
    await drain(makeWorker());

    const [thread] = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const replies = [...slack.messages.values()].filter(
      (message) => message.threadTs === thread!.rootId,
    );
    expect(replies.map((message) => message.text)).toEqual([
      `${people.analyst} added a note.`,
      `${people.analyst} added a note.`,
      `${people.analyst} added a note.`,
    ]);
    const cards = [...slack.messages.values()].filter(
      (message) => message.channel === 'CSECURITY1' && message.ts === thread!.rootId,
    );
    expect(cards).toHaveLength(1);
    const rows = await db()
      .select()
      .from(outbox)
      .where(eq(outbox.caseId, caseId))
      .orderBy(asc(outbox.id));
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    const sentTimes = rows.map((row) => row.sentAt!.getTime());
    expect(sentTimes).toEqual([...sentTimes].sort((a, b) => a - b));
  });

  it('takes over messages a dead worker had claimed', async () => {
    const caseId = await openCase('olivia.park@example.com');
    clock = Math.max(clock, Date.now()) + 1000;
    const claimed = await claimOutbox(db(), now(), 50, 60_000);
    expect(claimed.some((item) => item.message.caseId === caseId)).toBe(true);

    // The claiming process died before delivering: nothing goes out until its lease ends.
    const worker = makeWorker();
    expect(await worker.runOnce()).toBe(0);
    clock += 61_000;
    await drain(worker);
    const [thread] = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    expect(thread!.rootId).not.toBeNull();
    const [row] = await db().select().from(outbox).where(eq(outbox.caseId, caseId));
    expect(row!.status).toBe('sent');
    expect(row!.sentAt!.getTime()).toBeGreaterThanOrEqual(clock - 1000);
    expect(
      [...slack.messages.values()].filter((message) => message.ts === thread!.rootId),
    ).toHaveLength(1);
  });

  it('keeps a case out of a channel its subject is in', async () => {
    slack.members.set('CHRTEAM01', ['UHANA', 'USAM']);
    const caseId = await openCase('sam.ortiz@example.com');
    await act(caseId, people.analyst, { type: 'ESCALATE', summary: 'Personal cloud uploads' });
    await drain(makeWorker());

    const threads = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const hr = threads.find((thread) => thread.audience === 'hr')!;
    const security = threads.find((thread) => thread.audience === 'security')!;
    expect(hr.blockedReason).toBe('subject_in_channel');
    expect(hr.rootId).toBeNull();
    const hrPosts = [...slack.messages.values()].filter(
      (message) => message.channel === 'CHRTEAM01',
    );
    expect(hrPosts.some((message) => JSON.stringify(message).includes(caseId))).toBe(false);
    const alerts = [...slack.messages.values()].filter(
      (message) =>
        message.threadTs === security.rootId &&
        (message.text ?? '').includes('subject of the case is a member'),
    );
    expect(alerts).toHaveLength(1);
    slack.members.set('CHRTEAM01', ['UHANA']);
  });

  it('keeps a case out of a channel with unreadable members', async () => {
    slack.users.set('UGUEST', { email: null });
    slack.members.set('CHRTEAM01', ['UHANA', 'UGUEST']);
    const caseId = await openCase('lee.chen@example.com');
    await act(caseId, people.analyst, { type: 'ESCALATE', summary: 'Finance exports' });
    await drain(makeWorker());

    const threads = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const hr = threads.find((thread) => thread.audience === 'hr')!;
    const security = threads.find((thread) => thread.audience === 'security')!;
    expect(hr.blockedReason).toBe('unidentified_members');
    expect(hr.rootId).toBeNull();
    const alerts = [...slack.messages.values()].filter(
      (message) =>
        message.threadTs === security.rootId && (message.text ?? '').includes('cannot rule out'),
    );
    expect(alerts).toHaveLength(1);
    slack.members.set('CHRTEAM01', ['UHANA']);
  });

  it.runIf(backend === 'postgres')('shares the queue between two workers', async () => {
    const caseIds: string[] = [];
    for (const email of [
      'w1@partner.example.org',
      'w2@partner.example.org',
      'w3@partner.example.org',
    ]) {
      const caseId = await openCase(email);
      for (let n = 1; n <= 4; n++)
        await act(caseId, people.analyst, {
          type: 'ASSIGN',
          assignee: n % 2 ? people.analyst : people.analyst2,
        });
      caseIds.push(caseId);
    }
    const other = await openStore({ databaseUrl: current().databaseUrl! });
    try {
      const workers = [makeWorker(), makeWorker(other.db)];
      for (let round = 0; round < 100; round++) {
        await Promise.all(workers.map((worker) => worker.runOnce()));
        const pending = await db()
          .select({ id: outbox.id })
          .from(outbox)
          .where(eq(outbox.status, 'pending'));
        if (pending.length === 0) break;
        clock += 1000;
      }
    } finally {
      await other.close();
    }

    for (const caseId of caseIds) {
      const [thread] = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
      const rows = await db()
        .select()
        .from(outbox)
        .where(eq(outbox.caseId, caseId))
        .orderBy(asc(outbox.id));
      expect(rows.every((row) => row.status === 'sent')).toBe(true);
      const replies = [...slack.messages.values()].filter(
        (message) => message.threadTs === thread!.rootId,
      );
      const expected = [people.analyst, people.analyst2, people.analyst, people.analyst2].map(
        (assignee) => `${people.analyst} assigned this case to ${assignee}.`,
      );
      expect(replies.map((message) => message.text)).toEqual(expected);
      expect(
        [...slack.messages.values()].filter((message) => message.ts === thread!.rootId),
      ).toHaveLength(1);
    }
  });
});
