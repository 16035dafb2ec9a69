import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../../src/cases/act-on-case.ts';
import { showCase } from '../../../src/cases/show-case.ts';
import { buildForm } from '../../../src/chat/forms.ts';
import { t } from '../../../src/chat/messages/index.ts';
import { renderRefusal } from '../../../src/chat/refusal.ts';
import { renderFormModal } from '../../../src/chat/slack/modal.ts';
import { auditEvents, inboundReceipts } from '../../../src/store/schema.ts';
import { people, silentLogger } from '../../support/builders.ts';
import { describeStores } from '../../support/stores.ts';
import {
  cardButton,
  clickPayload,
  type Json,
  managedSubjects,
  openCase,
  postInteraction,
  type SlackHarness,
  settle,
  slackUsers,
  startSlackHarness,
  submissionPayload,
  toManagerNotice,
  waitFor,
} from './slack-harness.ts';

describeStores('slack case buttons and forms', (current) => {
  let harness: SlackHarness;
  const store = () => current().store;
  const stateOf = async (key: string) => (await showCase(store().db, key)).state;
  const ephemerals = () => harness.fake.callsTo('chat.postEphemeral');

  beforeAll(async () => {
    harness = await startSlackHarness(store());
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('acts on a button click', async () => {
    const { key } = await openCase(store(), managedSubjects[0]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');

    const response = await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.manager.id, button, channel: 'D0MARIA' }),
    );

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(await waitFor(async () => (await stateOf(key)) === 'follow_up')).toBe(true);
    const detail = await showCase(store().db, key);
    expect(detail.events.at(-1)).toMatchObject({
      type: 'ACKNOWLEDGE',
      outcome: 'accepted',
      actor: people.manager,
      fromState: 'manager_notice',
      toState: 'follow_up',
    });
    expect(harness.fake.callsTo('users.info').map((call) => call.body.user)).toEqual([
      slackUsers.manager.id,
    ]);
  });

  it('acknowledges before acting', async () => {
    const { key } = await openCase(store(), managedSubjects[0]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');
    const release = harness.holdDecisions();

    const response = await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.manager.id, button, channel: 'D0MARIA' }),
    );

    expect(response.status).toBe(200);
    expect(await stateOf(key)).toBe('manager_notice');
    release();
    expect(await waitFor(async () => (await stateOf(key)) === 'follow_up')).toBe(true);
  });

  it('refuses a stale button', async () => {
    const { key } = await openCase(store(), managedSubjects[0]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');
    await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.manager.id, button, channel: 'D0MARIA' }),
    );
    await waitFor(async () => (await stateOf(key)) === 'follow_up');
    const before = ephemerals().length;

    await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.manager.id, button, channel: 'D0MARIA' }),
    );

    const ephemeral = await waitFor(() => ephemerals()[before]);
    const last = (await showCase(store().db, key)).events.find(
      (event) => event.type === 'ACKNOWLEDGE' && event.outcome === 'accepted',
    );
    expect(ephemeral.body.channel).toBe('D0MARIA');
    expect(ephemeral.body.user).toBe(slackUsers.manager.id);
    expect(ephemeral.body.text).toBe(
      renderRefusal(
        { kind: 'alreadyDecided', event: 'ACKNOWLEDGE', actor: people.manager, at: last!.at },
        'en',
      ),
    );
    expect(await stateOf(key)).toBe('follow_up');
  });

  it('answers a stale form button at once', async () => {
    const { key } = await openCase(store(), 'stale.form@example.com');
    const button = await cardButton(harness, store(), key, 'security', 'ESCALATE');
    await actOnCase(
      { db: store().db, logger: silentLogger },
      {
        caseRef: key,
        actorEmail: people.analyst2,
        event: { type: 'ESCALATE', summary: 'First one.' },
      },
    );
    const forms = harness.fake.callsTo('views.open').length;
    const before = ephemerals().length;

    await postInteraction(harness.url, clickPayload({ userId: slackUsers.analyst.id, button }));

    const ephemeral = await waitFor(() => ephemerals()[before]);
    const escalated = (await showCase(store().db, key)).events.find(
      (event) => event.type === 'ESCALATE',
    );
    expect(ephemeral.body.text).toBe(
      renderRefusal(
        { kind: 'alreadyDecided', event: 'ESCALATE', actor: people.analyst2, at: escalated!.at },
        'en',
      ),
    );
    expect(harness.fake.callsTo('views.open')).toHaveLength(forms);
  });

  it('refuses the wrong person and audits it', async () => {
    const { key } = await openCase(store(), managedSubjects[1]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');
    const before = ephemerals().length;

    await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.analyst.id, button, channel: 'C0SECURITY' }),
    );

    const ephemeral = await waitFor(() => ephemerals()[before]);
    expect(ephemeral.body.channel).toBe('C0SECURITY');
    expect(ephemeral.body.user).toBe(slackUsers.analyst.id);
    expect(ephemeral.body.text).toBe(renderRefusal({ kind: 'managerOnly' }, 'en'));
    const rejected = (await showCase(store().db, key)).events.filter(
      (event) => event.outcome === 'rejected',
    );
    expect(rejected.map((event) => [event.type, event.actor])).toEqual([
      ['ACKNOWLEDGE', people.analyst],
    ]);
    expect(await stateOf(key)).toBe('manager_notice');
  });

  it('tells an unknown Slack user', async () => {
    const { key } = await openCase(store(), managedSubjects[1]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');
    const eventsBefore = (await showCase(store().db, key)).events.length;
    const before = ephemerals().length;

    await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.stranger.id, button, channel: 'C0HR' }),
    );

    const ephemeral = await waitFor(() => ephemerals()[before]);
    expect(ephemeral.body.user).toBe(slackUsers.stranger.id);
    expect(ephemeral.body.text).toBe(
      renderRefusal(
        { kind: 'unknownEmail', platform: 'slack', email: slackUsers.stranger.email },
        'en',
      ),
    );
    expect((await showCase(store().db, key)).events).toHaveLength(eventsBefore);
  });

  it('rejects a bad signature', async () => {
    const { key } = await openCase(store(), managedSubjects[1]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');
    const calls = harness.fake.calls.length;

    const response = await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.manager.id, button }),
      { secret: 'not-the-signing-secret' },
    );

    expect(response.status).toBe(401);
    expect(((await response.json()) as Json).error.code).toBe('UNAUTHENTICATED');
    await settle(harness.fake);
    expect(harness.fake.calls.length).toBe(calls);
    expect(await stateOf(key)).toBe('manager_notice');
  });

  it('rejects a stale timestamp', async () => {
    const { key } = await openCase(store(), managedSubjects[1]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');
    const calls = harness.fake.calls.length;

    const response = await postInteraction(
      harness.url,
      clickPayload({ userId: slackUsers.manager.id, button }),
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );

    expect(response.status).toBe(401);
    expect(((await response.json()) as Json).error.code).toBe('UNAUTHENTICATED');
    await settle(harness.fake);
    expect(harness.fake.calls.length).toBe(calls);
    expect(await stateOf(key)).toBe('manager_notice');
  });

  it('ignores a retried click', async () => {
    const { id, key } = await openCase(store(), managedSubjects[1]);
    await toManagerNotice(store(), key);
    const button = await cardButton(harness, store(), key, 'manager', 'ACKNOWLEDGE');
    const payload = clickPayload({ userId: slackUsers.manager.id, button, channel: 'D0MARIA' });
    const before = ephemerals().length;

    const first = await postInteraction(harness.url, payload);
    const retry = await postInteraction(harness.url, payload, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    await waitFor(async () => (await stateOf(key)) === 'follow_up');
    await settle(harness.fake);
    const [acknowledged] = await store()
      .db.select({ total: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, id), eq(auditEvents.type, 'ACKNOWLEDGE')));
    expect(acknowledged?.total).toBe(1);
    expect(ephemerals()).toHaveLength(before);
    const receipt = `slack:action:T111:${slackUsers.manager.id}:case:ACKNOWLEDGE:${payload.actions[0].action_ts}`;
    const receipts = await store()
      .db.select()
      .from(inboundReceipts)
      .where(eq(inboundReceipts.key, receipt));
    expect(receipts).toHaveLength(1);
  });

  it('opens the form of a button', async () => {
    const { id, key } = await openCase(store(), 'form.subject@example.com');
    const button = await cardButton(harness, store(), key, 'security', 'ESCALATE');
    const payload = clickPayload({ userId: slackUsers.analyst.id, button, channel: 'C0SECURITY' });
    const before = harness.fake.callsTo('views.open').length;

    const response = await postInteraction(harness.url, payload);

    expect(response.status).toBe(200);
    const opened = await waitFor(() => harness.fake.callsTo('views.open')[before]);
    const form = buildForm('ESCALATE', JSON.parse(button.value), {
      locale: 'en',
      caseKey: key,
      actionLabel: t('en', 'event.ESCALATE'),
      managerKnown: false,
    });
    expect(opened.body.trigger_id).toBe(payload.trigger_id);
    expect(opened.body.view).toEqual(
      renderFormModal(form!, { channel: 'C0SECURITY', threadTs: null }),
    );
    expect(JSON.parse((opened.body.view as Json).private_metadata).click).toEqual({
      caseId: id,
      version: 1,
      expectedState: 'triage',
    });
    expect(await stateOf(key)).toBe('triage');
  });

  it('answers an empty required field inline', async () => {
    const { key } = await openCase(store(), 'form.subject@example.com');
    const modal = await openedModal(key, slackUsers.analyst.id);

    const response = await postInteraction(
      harness.url,
      submissionPayload({ userId: slackUsers.analyst.id, modal, answers: { summary: '  ' } }),
    );

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { summary: t('en', 'form.error.required') },
    });
    await settle(harness.fake);
    expect(await stateOf(key)).toBe('triage');
  });

  it('acts on a valid form', async () => {
    const { key } = await openCase(store(), 'form.subject@example.com');
    const modal = await openedModal(key, slackUsers.analyst.id);

    const response = await postInteraction(
      harness.url,
      submissionPayload({
        userId: slackUsers.analyst.id,
        modal,
        answers: { summary: '340 source files copied to USB.' },
        viewId: `V${key}`,
      }),
    );

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await waitFor(async () => (await stateOf(key)) === 'hr_review');
    const detail = await showCase(store().db, key);
    expect(detail.events.at(-1)).toMatchObject({
      type: 'ESCALATE',
      outcome: 'accepted',
      actor: people.analyst,
      reason: '340 source files copied to USB.',
    });
  });

  it('refuses a form of the wrong role', async () => {
    const { key } = await openCase(store(), 'form.subject@example.com');
    const modal = await openedModal(key, slackUsers.hr.id);
    const before = ephemerals().length;

    await postInteraction(
      harness.url,
      submissionPayload({
        userId: slackUsers.hr.id,
        modal,
        answers: { summary: 'HR tries to escalate.' },
        viewId: `V${key}-hr`,
      }),
    );

    const ephemeral = await waitFor(() => ephemerals()[before]);
    expect(ephemeral.body.channel).toBe('C0SECURITY');
    expect(ephemeral.body.user).toBe(slackUsers.hr.id);
    expect(ephemeral.body.text).toBe(
      renderRefusal({ kind: 'roleRequired', roles: ['security'] }, 'en'),
    );
    const rejected = (await showCase(store().db, key)).events.filter(
      (event) => event.outcome === 'rejected',
    );
    expect(rejected.map((event) => [event.type, event.actor])).toEqual([['ESCALATE', people.hr]]);
  });

  it('calls auth.test at most once', () => {
    expect(harness.fake.callsTo('auth.test')).toHaveLength(1);
  });

  /** Clicks the case's ESCALATE button as `userId` and returns the modal that views.open received. */
  async function openedModal(key: string, userId: string): Promise<Json> {
    const button = await cardButton(harness, store(), key, 'security', 'ESCALATE');
    const before = harness.fake.callsTo('views.open').length;
    await postInteraction(harness.url, clickPayload({ userId, button, channel: 'C0SECURITY' }));
    const opened = await waitFor(() => harness.fake.callsTo('views.open')[before]);
    return opened.body.view as Json;
  }
});
