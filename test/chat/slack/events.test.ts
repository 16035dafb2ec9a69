import { afterAll, beforeAll, expect, it } from 'vitest';
import { listPendingCases } from '../../../src/cases/pending-cases.ts';
import { renderRefusal } from '../../../src/chat/refusal.ts';
import { renderHomeView, renderPendingBlocks } from '../../../src/chat/slack/pending-view.ts';
import { people } from '../../support/builders.ts';
import { describeStores } from '../../support/stores.ts';
import {
  corpus,
  type Json,
  openCase,
  postToSlackRoute,
  type SlackHarness,
  settle,
  slackUsers,
  startSlackHarness,
  waitFor,
} from './slack-harness.ts';

/** Builds an `app_home_opened` event callback in the shape of the corpus's event envelope. */
function homeOpened(userId: string, eventId: string): Json {
  const envelope = structuredClone(corpus.eventRetry.body);
  envelope.event_id = eventId;
  envelope.event = {
    type: 'app_home_opened',
    user: userId,
    channel: 'D0HOME',
    tab: 'home',
    event_ts: envelope.event.event_ts,
  };
  return envelope;
}

function postEvent(harness: SlackHarness, body: Json, headers: Record<string, string> = {}) {
  return postToSlackRoute(harness.url, {
    body: JSON.stringify(body),
    contentType: 'application/json',
    headers,
  });
}

describeStores('slack events', (current) => {
  let harness: SlackHarness;
  const store = () => current().store;
  const publishes = () => harness.fake.callsTo('views.publish');

  beforeAll(async () => {
    harness = await startSlackHarness(store());
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('answers the URL verification', async () => {
    const response = await postEvent(harness, {
      token: 'verification_token',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
  });

  it('rejects an unsigned URL verification', async () => {
    const response = await fetch(`${harness.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challenge: 'x', type: 'url_verification' }),
    });

    expect(response.status).toBe(401);
    expect(((await response.json()) as Json).error.code).toBe('UNAUTHENTICATED');
  });

  it('publishes the App Home', async () => {
    const { key } = await openCase(store(), 'home.subject@example.com');
    const before = publishes().length;

    const response = await postEvent(harness, homeOpened(slackUsers.analyst.id, `Ev-${key}`));

    expect(response.status).toBe(200);
    const published = await waitFor(() => publishes()[before]);
    const pending = await listPendingCases(store().db, {
      email: people.analyst,
      roles: ['security'],
    });
    expect(published.body.user_id).toBe(slackUsers.analyst.id);
    expect(published.body.view).toEqual(renderHomeView(renderPendingBlocks(pending, 'en'), 'en'));
    expect(JSON.stringify(published.body.view)).toContain(`*${key}* · Triage`);
  });

  it('publishes a refusal to a stranger', async () => {
    const before = publishes().length;

    await postEvent(harness, homeOpened(slackUsers.stranger.id, 'Ev-stranger'));

    const published = await waitFor(() => publishes()[before]);
    const text = renderRefusal(
      { kind: 'unknownEmail', platform: 'slack', email: slackUsers.stranger.email },
      'en',
    );
    expect(published.body.view).toEqual(
      renderHomeView([{ type: 'section', text: { type: 'mrkdwn', text } }], 'en'),
    );
  });

  it('ignores a retried event', async () => {
    const body = homeOpened(slackUsers.hr.id, 'Ev-retried');
    const before = publishes().length;

    const first = await postEvent(harness, body);
    const retry = await postEvent(harness, body, {
      'x-slack-retry-num': corpus.eventRetry.headers['X-Slack-Retry-Num'],
      'x-slack-retry-reason': corpus.eventRetry.headers['X-Slack-Retry-Reason'],
    });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    await waitFor(() => publishes()[before]);
    await settle(harness.fake);
    expect(publishes()).toHaveLength(before + 1);
  });

  it('acknowledges an event without a listener', async () => {
    const calls = harness.fake.calls.length;

    const response = await postEvent(harness, corpus.eventRetry.body);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await settle(harness.fake);
    expect(harness.fake.calls.length).toBe(calls);
  });

  it('rejects a body that is not JSON or form fields', async () => {
    const response = await postToSlackRoute(harness.url, {
      body: '<xml/>',
      contentType: 'application/xml',
    });

    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error.code).toBe('PAYLOAD_INVALID');
  });

  it('keeps raw bodies and e-mail addresses out of the log', () => {
    const log = harness.logText();

    expect(log).not.toContain(people.analyst);
    expect(log).not.toContain(slackUsers.stranger.email);
    expect(log).not.toContain('home.subject@example.com');
  });
});
