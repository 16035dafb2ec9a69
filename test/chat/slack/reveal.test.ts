import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../../src/cases/act-on-case.ts';
import { loadCaseView } from '../../../src/chat/load-case-view.ts';
import { ingestBatch } from '../../../src/intake/ingest-batch.ts';
import { createCaseNotifier } from '../../../src/outbox/create-case-notifier.ts';
import { expireReveals } from '../../../src/privacy/expire-reveals.ts';
import { auditEvents, caseThreads, roleGrants } from '../../../src/store/schema.ts';
import { makeSignal, people, silentLogger } from '../../support/builders.ts';
import { drainOutbox } from '../../support/drain-outbox.ts';
import { describeStores } from '../../support/stores.ts';
import { TestClock } from '../../support/test-clock.ts';
import {
  botToken,
  clickPayload,
  type Json,
  postInteraction,
  type SlackHarness,
  slackUsers,
  startSlackHarness,
  submissionPayload,
  waitFor,
} from './slack-harness.ts';

const routing = { security: { slack: 'CSECURITY1' }, hr: { slack: 'CHRTEAM01' } };
const notifier = createCaseNotifier(routing, ['slack']);
const subjectName = 'Dana Lee';

describeStores('identity reveal in Slack', (current) => {
  let harness: SlackHarness;
  let caseId = '';
  // The expiry job runs with a clock moved past the reveal's end.
  const clock = new TestClock();
  const now = clock.now;
  const db = () => current().store.db;

  const drain = () =>
    drainOutbox({ db: db(), slack: harness.fake, token: botToken, clock, includeReveal: true });

  const threadRoot = async (audience: string) => {
    const [thread] = await db()
      .select()
      .from(caseThreads)
      .where(and(eq(caseThreads.caseId, caseId), eq(caseThreads.audience, audience)));
    return thread!.rootId!;
  };
  const card = async (audience: string, channel: string) =>
    harness.fake.messages.get(`${channel}:${await threadRoot(audience)}`)!;
  /** The button of a card as the fake Slack workspace holds it now. */
  const buttonOn = async (audience: string, channel: string, actionId: string) => {
    const blocks = ((await card(audience, channel)).blocks ?? []) as Json[];
    return blocks
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements as Json[])
      .find((element) => element.action_id === actionId);
  };
  const click = async (userId: string, channel: string, button: Json) => {
    const response = await postInteraction(
      harness.url,
      clickPayload({
        userId,
        channel,
        button,
        messageTs: await threadRoot(channel === 'CHRTEAM01' ? 'hr' : 'security'),
      }),
    );
    expect(response.status).toBe(200);
  };
  const ephemeralsTo = (userId: string) =>
    harness.fake
      .callsTo('chat.postEphemeral')
      .filter((call) => call.body.user === userId)
      .map((call) => String(call.body.text));
  const auditTypes = async () =>
    (await db().select().from(auditEvents).where(eq(auditEvents.caseId, caseId))).map(
      (event) => event.type,
    );
  const pseudonym = async () =>
    (await loadCaseView(db(), harness.pseudonymKey, caseId, 'security', 'en', { now: now() }))
      .subjectLabel;

  beforeAll(async () => {
    harness = await startSlackHarness(current().store);
    harness.fake.members.set('CSECURITY1', [slackUsers.analyst.id]);
    harness.fake.members.set('CHRTEAM01', [slackUsers.hr.id]);
    // The analyst also holds the privacy role, so that only separation of duties stops them
    // deciding their own request.
    await db().insert(roleGrants).values({ email: people.analyst, role: 'privacy' });
    const [opened] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal()], { reopenWindowHours: 0, now: now(), notifier }),
    );
    caseId = opened!.caseId!;
    await actOnCase(
      { db: db(), logger: silentLogger, notifier },
      {
        caseRef: caseId,
        actorEmail: people.analyst,
        event: { type: 'ESCALATE', summary: `${subjectName} copied source code` },
      },
    );
    await drain();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('offers security a request and HR no decision before a request', async () => {
    expect(await buttonOn('security', 'CSECURITY1', 'reveal:request')).toBeDefined();
    expect(await buttonOn('hr', 'CHRTEAM01', 'reveal:approve')).toBeUndefined();
    expect(JSON.stringify((await card('security', 'CSECURITY1')).blocks)).not.toContain(
      subjectName,
    );
  });

  it('refuses the request form to a person without the security role', async () => {
    const before = harness.fake.callsTo('views.open').length;
    const button = await buttonOn('security', 'CSECURITY1', 'reveal:request');
    await click(slackUsers.hr.id, 'CSECURITY1', button!);
    const refusal = await waitFor(() => ephemeralsTo(slackUsers.hr.id)[0]);
    expect(refusal).toBe('You need the Security role to do this.');
    expect(harness.fake.callsTo('views.open')).toHaveLength(before);
  });

  it('sends the request from the reason modal and asks HR with buttons', async () => {
    const before = harness.fake.callsTo('views.open').length;
    const button = await buttonOn('security', 'CSECURITY1', 'reveal:request');
    await click(slackUsers.analyst.id, 'CSECURITY1', button!);
    const opened = await waitFor(() => harness.fake.callsTo('views.open')[before]);
    const modal = opened.body.view as Json;
    expect(modal.callback_id).toBe('reveal-form:request');

    const empty = await postInteraction(
      harness.url,
      submissionPayload({
        userId: slackUsers.analyst.id,
        modal,
        answers: { 'reveal-reason': '  ' },
        viewId: 'V0EMPTY',
      }),
    );
    expect(await empty.json()).toMatchObject({ response_action: 'errors' });

    const sent = await postInteraction(
      harness.url,
      submissionPayload({
        userId: slackUsers.analyst.id,
        modal,
        answers: { 'reveal-reason': 'Need to check the badge log' },
      }),
    );
    expect(sent.status).toBe(200);
    await waitFor(async () => (await auditTypes()).includes('REVEAL_REQUESTED'));
    await drain();

    expect(await buttonOn('security', 'CSECURITY1', 'reveal:request')).toBeUndefined();
    expect(await buttonOn('hr', 'CHRTEAM01', 'reveal:approve')).toBeDefined();
    expect(await buttonOn('hr', 'CHRTEAM01', 'reveal:reject')).toBeDefined();
  });

  it("refuses the requester's own approval", async () => {
    const button = await buttonOn('hr', 'CHRTEAM01', 'reveal:approve');
    const before = ephemeralsTo(slackUsers.analyst.id).length;
    await click(slackUsers.analyst.id, 'CHRTEAM01', button!);
    const refusal = await waitFor(() => ephemeralsTo(slackUsers.analyst.id)[before]);
    expect(refusal).toBe(
      'Separation of duties: you requested this identity reveal or are its subject, so another person must decide it.',
    );
    expect(await auditTypes()).not.toContain('REVEAL_APPROVED');
  });

  it('shows the identity on the security card once HR approves', async () => {
    const updates = harness.fake.callsTo('chat.update').length;
    const button = await buttonOn('hr', 'CHRTEAM01', 'reveal:approve');
    await click(slackUsers.hr.id, 'CHRTEAM01', button!);
    await waitFor(async () => (await auditTypes()).includes('REVEAL_APPROVED'));
    await drain();

    const root = await threadRoot('security');
    const securityUpdate = harness.fake
      .callsTo('chat.update')
      .slice(updates)
      .find((call) => call.body.channel === 'CSECURITY1' && call.body.ts === root);
    expect(JSON.stringify(securityUpdate?.body.blocks)).toContain(subjectName);
    expect(JSON.stringify((await card('security', 'CSECURITY1')).blocks)).toContain(people.subject);
    expect(await buttonOn('security', 'CSECURITY1', 'reveal:request')).toBeUndefined();
    expect(await buttonOn('hr', 'CHRTEAM01', 'reveal:approve')).toBeUndefined();
  });

  it('shows a fresh pseudonym after the reveal expires', async () => {
    const [revealed] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.type, 'REVEAL_REQUESTED')));
    expect(revealed).toBeDefined();
    const shownBefore = await pseudonym();

    clock.advance(25 * 3_600_000);
    await expireReveals({ db: db(), logger: silentLogger }, now());
    clock.set(Date.now());
    await drain();

    const blocks = JSON.stringify((await card('security', 'CSECURITY1')).blocks);
    expect(blocks).not.toContain(subjectName);
    expect(blocks).not.toContain(people.subject);
    const shownAfter = await pseudonym();
    expect(shownAfter).not.toBe(shownBefore);
    expect(blocks).toContain(shownAfter);
    expect(await buttonOn('security', 'CSECURITY1', 'reveal:request')).toBeDefined();
  });

  it('rejects a new request from the HR card', async () => {
    const before = harness.fake.callsTo('views.open').length;
    const request = await buttonOn('security', 'CSECURITY1', 'reveal:request');
    await click(slackUsers.analyst.id, 'CSECURITY1', request!);
    const opened = await waitFor(() => harness.fake.callsTo('views.open')[before]);
    await postInteraction(
      harness.url,
      submissionPayload({
        userId: slackUsers.analyst.id,
        modal: opened.body.view as Json,
        answers: { 'reveal-reason': 'Second look at the badge log' },
        viewId: 'V0SECOND',
      }),
    );
    await waitFor(
      async () => (await auditTypes()).filter((type) => type === 'REVEAL_REQUESTED').length === 2,
    );
    await drain();

    const reject = await buttonOn('hr', 'CHRTEAM01', 'reveal:reject');
    await click(slackUsers.hr.id, 'CHRTEAM01', reject!);
    await waitFor(async () => (await auditTypes()).includes('REVEAL_REJECTED'));
    await drain();

    expect(await buttonOn('hr', 'CHRTEAM01', 'reveal:reject')).toBeUndefined();
    expect(await buttonOn('security', 'CSECURITY1', 'reveal:request')).toBeDefined();
    expect(JSON.stringify((await card('security', 'CSECURITY1')).blocks)).not.toContain(
      subjectName,
    );
  });
});
