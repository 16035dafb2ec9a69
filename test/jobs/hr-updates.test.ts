import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { showCase } from '../../src/cases/show-case.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { sendHrUpdates } from '../../src/jobs/send-hr-updates.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { defaultWatchlistContext } from '../../src/people/watchlists.ts';
import { caseThreads, people as peopleTable } from '../../src/store/schema.ts';
import {
  botToken,
  cardButton,
  clickPayload,
  type Json,
  postInteraction,
  type SlackHarness,
  slackUsers,
  startSlackHarness,
  waitFor,
} from '../chat/slack/slack-harness.ts';
import { makeSignal, people, silentLogger } from '../support/builders.ts';
import { drainOutbox } from '../support/drain-outbox.ts';
import { describeStores } from '../support/stores.ts';
import { TestClock } from '../support/test-clock.ts';

const routing = { security: { slack: 'C0SECURITY' }, hr: { slack: 'C0HRTEAM1' } };
const notifier = createCaseNotifier(routing, ['slack']);
const olivia = { id: 'U0OLIVIA', email: 'olivia.park@example.com' };

describeStores('HR updates on open cases', (current) => {
  let harness: SlackHarness;
  const db = () => current().store.db;

  beforeAll(async () => {
    harness = await startSlackHarness(current().store);
    harness.fake.users.set(olivia.id, { email: olivia.email });
    harness.fake.members.set('C0SECURITY', [slackUsers.analyst.id]);
    harness.fake.members.set('C0HRTEAM1', [slackUsers.hr.id]);
  });

  afterAll(async () => {
    await harness?.close();
  });

  const clock = new TestClock();
  const drain = () => drainOutbox({ db: db(), slack: harness.fake, token: botToken, clock });
  const act = (
    caseRef: string,
    actorEmail: string,
    event: Record<string, unknown> & { type: string },
  ) => actOnCase({ db: db(), logger: silentLogger, notifier }, { caseRef, actorEmail, event });
  const managerThreads = (caseId: string) =>
    db()
      .select()
      .from(caseThreads)
      .where(and(eq(caseThreads.caseId, caseId), eq(caseThreads.audience, 'manager')));

  it('manager change re-routes a pending notice', async () => {
    const [opened] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal()], { reopenWindowHours: 0, now: new Date(), notifier }),
    );
    const caseId = opened!.caseId!;
    await act(caseId, people.analyst, { type: 'ESCALATE', summary: 'Files copied to USB.' });
    await act(caseId, people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });
    await drain();
    const [first] = await managerThreads(caseId);
    expect(first?.rootId).not.toBeNull();
    const oldChannel = first!.channel!;

    await db()
      .update(peopleTable)
      .set({ managerEmail: olivia.email })
      .where(eq(peopleTable.email, people.subject));
    const result = await sendHrUpdates({
      db: db(),
      logger: silentLogger,
      notifier,
      watch: defaultWatchlistContext,
      now: () => new Date(),
    });
    expect(result).toEqual({ sent: 1, skipped: 0 });
    await drain();

    const threads = await managerThreads(caseId);
    const active = threads.find((thread) => thread.retiredAt === null);
    const retired = threads.find((thread) => thread.retiredAt !== null);
    expect(retired?.id).toBe(first!.id);
    expect(active?.channel).not.toBe(oldChannel);
    const opens = harness.fake.callsTo('conversations.open').map((call) => call.body.users);
    expect(opens).toContain(olivia.id);

    const newCard = harness.fake.messages.get(`${active!.channel}:${active!.rootId}`);
    expect(JSON.stringify(newCard?.blocks)).toContain('HR asks you, as the manager of Dana Lee');
    expect(JSON.stringify(newCard?.blocks)).toContain('case:ACKNOWLEDGE');
    const oldCard = harness.fake.messages.get(`${oldChannel}:${first!.rootId}`);
    expect(JSON.stringify(oldCard?.blocks)).toContain('passed this notice about Dana Lee');
    expect(JSON.stringify(oldCard?.blocks)).not.toContain('case:ACKNOWLEDGE');

    const hrReplies = [...harness.fake.messages.values()]
      .filter((message) => message.channel === 'C0HRTEAM1' && message.threadTs !== null)
      .map((message) => message.text);
    expect(hrReplies.at(-1)).toContain(`the subject's manager is now ${olivia.email}`);
    const securityText = [...harness.fake.messages.values()]
      .filter((message) => message.channel === 'C0SECURITY')
      .map((message) => message.text ?? '')
      .join('\n');
    expect(securityText).toContain("HR update: the subject's manager changed.");
    expect(securityText).not.toContain(olivia.email);

    // The old manager's button, as it was on her card, no longer works.
    const ephemerals = () => harness.fake.callsTo('chat.postEphemeral');
    const before = ephemerals().length;
    const oldButton: Json = await cardButton(
      harness,
      current().store,
      caseId,
      'manager',
      'ACKNOWLEDGE',
    );
    await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.manager.id, button: oldButton, channel: oldChannel }),
    );
    const refusal = await waitFor(() => ephemerals()[before]);
    expect(refusal.body.user).toBe(slackUsers.manager.id);
    const detail = await showCase(db(), caseId);
    expect(detail.state).toBe('manager_notice');
    expect(detail.events.at(-1)).toMatchObject({
      type: 'ACKNOWLEDGE',
      outcome: 'rejected',
      actor: people.manager,
    });
    expect(detail.events.some((event) => event.type === 'HR_UPDATE')).toBe(true);

    // Running again sends nothing new.
    const again = await sendHrUpdates({
      db: db(),
      logger: silentLogger,
      notifier,
      watch: defaultWatchlistContext,
      now: () => new Date(),
    });
    expect(again).toEqual({ sent: 0, skipped: 0 });
  });

  it('departure arrives on the local day once', async () => {
    const [opened] = await db().transaction((tx) =>
      ingestBatch(
        tx,
        [
          makeSignal({
            subject: { email: 'lee.chen@example.com', externalIds: [], displayName: null },
          }),
        ],
        { reopenWindowHours: 0, now: new Date(), notifier },
      ),
    );
    await db()
      .update(peopleTable)
      .set({ lastWorkingDay: '2026-12-10', timeZone: 'Asia/Tokyo' })
      .where(eq(peopleTable.email, 'lee.chen@example.com'));
    const run = (at: string) =>
      sendHrUpdates({
        db: db(),
        logger: silentLogger,
        notifier,
        watch: defaultWatchlistContext,
        now: () => new Date(at),
      });

    // 14:59 UTC on 2026-12-09 is 23:59 in Tokyo: not yet the last working day.
    expect(await run('2026-12-09T14:59:00Z')).toEqual({ sent: 0, skipped: 0 });
    expect(await run('2026-12-09T15:00:00Z')).toEqual({ sent: 1, skipped: 0 });
    expect(await run('2026-12-09T16:00:00Z')).toEqual({ sent: 0, skipped: 0 });
    const detail = await showCase(db(), opened!.caseId!);
    const updates = detail.events.filter((event) => event.type === 'HR_UPDATE');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ actor: 'system:hr_sync', outcome: 'accepted' });
  });
});
