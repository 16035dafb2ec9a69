import { readFileSync } from 'node:fs';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderCaseMessage } from '../../src/chat/slack/blocks.ts';
import { renderFormModal } from '../../src/chat/slack/modal.ts';
import { buildCaseView } from '../../src/chat/view-model.ts';
import { FakeSlackApi } from '../support/fake-slack-api.ts';
import { makeSignalSummary, makeViewInput } from './view-fixtures.ts';

const corpus429 = JSON.parse(
  readFileSync(new URL('./fixtures/slack/web-api-429-ratelimited.json', import.meta.url), 'utf8'),
);

const token = 'xoxb-test-token';

let fake: FakeSlackApi;
let client: webApi.WebClient;

beforeEach(async () => {
  fake = await FakeSlackApi.start({ token });
  client = new webApi.WebClient(token, {
    slackApiUrl: fake.url,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: webApi.LogLevel.ERROR,
  });
});

afterEach(async () => {
  await fake.close();
});

describe('fake Slack Web API', () => {
  it('listens on 127.0.0.1', () => {
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('posts a card and returns its ts', async () => {
    const message = renderCaseMessage(buildCaseView(makeViewInput(), 'security', 'en'));

    const result = await client.chat.postMessage({ channel: 'C0SECURITY', ...message });

    expect(result.ok).toBe(true);
    expect(result.channel).toBe('C0SECURITY');
    expect(result.ts).toMatch(/^\d+\.\d{6}$/);
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.headers.authorization).toBe(`Bearer ${token}`);
    expect(call?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(call?.body.channel).toBe('C0SECURITY');
    expect(call?.body.blocks).toEqual(message.blocks);
    expect(fake.messages.get(`C0SECURITY:${result.ts}`)?.blocks).toEqual(message.blocks);
  });

  it('accepts a card of 200 signals', async () => {
    const signals = Array.from({ length: 200 }, () =>
      makeSignalSummary({ title: 'x'.repeat(5000) }),
    );
    const view = buildCaseView(makeViewInput({ signals }), 'security', 'en', { maxEvidence: 200 });

    const result = await client.chat.postMessage({ channel: 'C1', ...renderCaseMessage(view) });

    expect(result.ok).toBe(true);
  });

  it('gives each message a new ts', async () => {
    const first = await client.chat.postMessage({ channel: 'C1', text: 'one' });
    const second = await client.chat.postMessage({
      channel: 'C1',
      text: 'two',
      thread_ts: first.ts,
    });

    expect(second.ts).not.toBe(first.ts);
    expect(fake.messages.get(`C1:${second.ts}`)?.threadTs).toBe(first.ts);
  });

  it('updates a posted message', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'before' });

    const updated = await client.chat.update({ channel: 'C1', ts: posted.ts!, text: 'after' });

    expect(updated.ok).toBe(true);
    expect(fake.messages.get(`C1:${posted.ts}`)?.text).toBe('after');
    await expect(
      client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' }),
    ).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { ok: false, error: 'message_not_found' },
    });
  });

  it('rejects too many blocks like Slack', async () => {
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' as const }));

    await expect(
      client.chat.postMessage({ channel: 'C1', text: 'x', blocks }),
    ).rejects.toMatchObject({
      data: { error: 'invalid_blocks' },
    });
  });

  it('answers ephemeral messages and modals', async () => {
    const ephemeral = await client.chat.postEphemeral({
      channel: 'C1',
      user: 'U1',
      text: 'Only you.',
    });
    const form = buildCaseView(makeViewInput(), 'security', 'en').actions[2]?.form;
    const modal = renderFormModal(form!);

    const opened = await client.views.open({ trigger_id: '111.222.valid', view: modal });

    expect(ephemeral.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(opened.view?.id).toMatch(/^V/);
    expect(opened.view?.callback_id).toBe('case-form:ESCALATE');
    expect(fake.callsTo('views.open')[0]?.body.view).toEqual(modal);
  });

  it('resolves users and members from its tables', async () => {
    fake.users.set('U0ANN', { email: 'ann.analyst@example.com', name: 'Ann Analyst' });
    fake.users.set('U0BOT', { email: null, isBot: true });
    fake.members.set('C0SECURITY', ['U0ANN', 'U0BOT', 'U0BEN']);

    const info = await client.users.info({ user: 'U0ANN' });
    const bot = await client.users.info({ user: 'U0BOT' });
    const firstPage = await client.conversations.members({ channel: 'C0SECURITY', limit: 2 });
    const secondPage = await client.conversations.members({
      channel: 'C0SECURITY',
      limit: 2,
      cursor: firstPage.response_metadata?.next_cursor,
    });

    expect(info.user?.profile?.email).toBe('ann.analyst@example.com');
    expect(bot.user?.profile?.email).toBeUndefined();
    expect(firstPage.members).toEqual(['U0ANN', 'U0BOT']);
    expect(secondPage.members).toEqual(['U0BEN']);
    expect(secondPage.response_metadata?.next_cursor).toBe('');
    await expect(client.users.info({ user: 'U0NOBODY' })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
  });

  it('opens one direct channel per person', async () => {
    fake.users.set('U0MARIA', { email: 'maria.gomez@example.com' });

    const found = await client.users.lookupByEmail({ email: 'Maria.Gomez@example.com' });
    const first = await client.conversations.open({ users: 'U0MARIA' });
    const again = await client.conversations.open({ users: 'U0MARIA' });

    expect(found.user?.id).toBe('U0MARIA');
    expect(first.channel?.id).toMatch(/^D/);
    expect(again.channel?.id).toBe(first.channel?.id);
  });

  it('answers auth.test', async () => {
    const result = await client.auth.test();

    expect(result.user_id).toBe('U0CASEBRG');
    expect(result.bot_id).toBe('B0CASEBRG');
  });

  it('rejects a wrong token', async () => {
    const stranger = new webApi.WebClient('xoxb-wrong', {
      slackApiUrl: fake.url,
      retryConfig: { retries: 0 },
      logLevel: webApi.LogLevel.ERROR,
    });

    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
  });

  it('accepts JSON bodies', async () => {
    const response = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify({ channel: 'C1', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    const body = (await response.json()) as { ok: boolean; ts: string };

    expect(body.ok).toBe(true);
    expect(fake.callsTo('chat.postMessage')[0]?.body.blocks).toEqual([{ type: 'divider' }]);
  });
});

describe('scripted failures', () => {
  it('rate-limits the next call', async () => {
    fake.failNext('chat.postMessage', 1, { status: 429, retryAfterSeconds: 30 });

    const error = await client.chat
      .postMessage({ channel: 'C1', text: 'x' })
      .catch((caught) => caught);
    const after = await client.chat.postMessage({ channel: 'C1', text: 'x' });

    expect(error).toBeInstanceOf(webApi.WebAPIRateLimitedError);
    expect(error.code).toBe(webApi.ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBe(30);
    expect(after.ok).toBe(true);
    expect(fake.callsTo('chat.postMessage').map((call) => call.status)).toEqual([429, 200]);
  });

  it('answers 429 in the corpus shape', async () => {
    fake.failNext('chat.update', 1, {
      status: 429,
      retryAfterSeconds: Number(corpus429.headers['Retry-After']),
    });

    const response = await fetch(`${fake.url}chat.update`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });

    expect(response.status).toBe(corpus429.status);
    expect(response.headers.get('retry-after')).toBe(corpus429.headers['Retry-After']);
    expect(await response.json()).toEqual(corpus429.body);
  });

  it('fails only the scripted method and count', async () => {
    fake.failNext('chat.update', 2, { status: 503 });

    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    const first = await client.chat
      .update({ channel: 'C1', ts: '1', text: 'x' })
      .catch((caught) => caught);
    const second = await client.chat
      .update({ channel: 'C1', ts: '1', text: 'x' })
      .catch((caught) => caught);
    const third = await client.chat
      .update({ channel: 'C1', ts: '1', text: 'x' })
      .catch((caught) => caught);

    expect(first).toBeInstanceOf(webApi.WebAPIHTTPError);
    expect(first.statusCode).toBe(503);
    expect(second.statusCode).toBe(503);
    expect(third.code).toBe(webApi.ErrorCode.PlatformError);
    expect(third.data.error).toBe('message_not_found');
  });

  it('records calls with time', async () => {
    const before = Date.now();

    await client.auth.test();

    const [call] = fake.calls;
    expect(call?.method).toBe('auth.test');
    expect(call?.at.getTime()).toBeGreaterThanOrEqual(before);
    expect(call?.at.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
