import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildForm } from '../../../src/chat/forms.ts';
import { renderCaseMessage, renderTextMessage } from '../../../src/chat/slack/blocks.ts';
import { renderFormModal } from '../../../src/chat/slack/modal.ts';
import { createSlackClient, SlackChatPort } from '../../../src/chat/slack/slack-port.ts';
import { buildCaseView } from '../../../src/chat/view-model.ts';
import { silentLogger } from '../../support/builders.ts';
import { FakeSlackApi } from '../../support/fake-slack-api.ts';
import { makeViewInput } from '../view-fixtures.ts';
import { botToken } from './slack-payloads.ts';

let fake: FakeSlackApi;
let port: SlackChatPort;

beforeEach(async () => {
  fake = await FakeSlackApi.start({ token: botToken });
  port = new SlackChatPort(
    createSlackClient({ token: botToken, slackApiUrl: fake.url, logger: silentLogger }),
  );
});

afterEach(async () => {
  await fake.close();
});

const securityView = () => buildCaseView(makeViewInput(), 'security', 'en');

describe('SlackChatPort', () => {
  it('posts a card to a channel', async () => {
    const view = securityView();

    const posted = await port.postCard({ platform: 'slack', channel: 'C0SECURITY' }, view);

    expect(posted).toEqual({
      platform: 'slack',
      channel: 'C0SECURITY',
      messageId: expect.stringMatching(/^\d+\.\d{6}$/),
      threadRootId: null,
    });
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.body.channel).toBe('C0SECURITY');
    expect(call?.body.thread_ts).toBeUndefined();
    expect(call?.body.text).toBe(renderCaseMessage(view).text);
    expect(call?.body.blocks).toEqual(renderCaseMessage(view).blocks);
  });

  it('posts a card into a thread', async () => {
    const root = await port.postCard({ platform: 'slack', channel: 'C0HR' }, securityView());

    const posted = await port.postCard(
      { platform: 'slack', channel: 'C0HR', rootId: root.messageId },
      securityView(),
    );

    expect(posted.threadRootId).toBe(root.messageId);
    expect(fake.messages.get(`C0HR:${posted.messageId}`)?.threadTs).toBe(root.messageId);
  });

  it('updates a card', async () => {
    const posted = await port.postCard(
      { platform: 'slack', channel: 'C0SECURITY' },
      securityView(),
    );
    const moved = buildCaseView(
      makeViewInput({ state: 'hr_review', version: 4 }),
      'security',
      'en',
    );

    await port.updateCard(posted, moved);

    const [call] = fake.callsTo('chat.update');
    expect(call?.body.channel).toBe('C0SECURITY');
    expect(call?.body.ts).toBe(posted.messageId);
    expect(fake.messages.get(`C0SECURITY:${posted.messageId}`)?.blocks).toEqual(
      renderCaseMessage(moved).blocks,
    );
  });

  it('replies in a thread', async () => {
    const root = await port.postCard({ platform: 'slack', channel: 'C0SECURITY' }, securityView());

    const reply = await port.reply(
      { platform: 'slack', channel: 'C0SECURITY', rootId: root.messageId },
      'ann escalated <this> case & more.',
    );

    expect(reply.threadRootId).toBe(root.messageId);
    const stored = fake.messages.get(`C0SECURITY:${reply.messageId}`);
    expect(stored?.threadTs).toBe(root.messageId);
    expect(stored?.text).toBe(renderTextMessage('ann escalated <this> case & more.').text);
    expect(stored?.text).toBe('ann escalated &lt;this&gt; case &amp; more.');
  });

  it('sends a direct message by e-mail', async () => {
    fake.users.set('U0MARIA', { email: 'maria.gomez@example.com' });
    const notice = buildCaseView(makeViewInput({ state: 'manager_notice' }), 'manager', 'en');

    const card = await port.directMessage('Maria.Gomez@example.com', notice);
    const text = await port.directMessage('maria.gomez@example.com', 'Reminder.');

    expect(card.channel).toMatch(/^D/);
    expect(text.channel).toBe(card.channel);
    expect(card.threadRootId).toBeNull();
    expect(fake.callsTo('conversations.open')[0]?.body.users).toBe('U0MARIA');
    expect(fake.messages.get(`${card.channel}:${card.messageId}`)?.blocks).toEqual(
      renderCaseMessage(notice).blocks,
    );
    expect(fake.messages.get(`${text.channel}:${text.messageId}`)?.text).toBe('Reminder.');
  });

  it('throws users_not_found for an unknown address', async () => {
    await expect(port.directMessage('nobody@example.com', 'Hello.')).rejects.toMatchObject({
      code: webApi.ErrorCode.PlatformError,
      data: { error: 'users_not_found' },
    });
    expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
  });

  it('lists channel members and unreadable ones', async () => {
    fake.users.set('U0ANN', { email: 'Ann.Analyst@example.com' });
    fake.users.set('U0BOT', { email: null, isBot: true });
    fake.users.set('U0NOMAIL', { email: null });
    const many = Array.from({ length: 450 }, (_, index) => `U${String(index).padStart(4, '0')}`);
    for (const id of many) fake.users.set(id, { email: `${id.toLowerCase()}@example.com` });
    fake.members.set('C0SECURITY', ['U0ANN', 'U0BOT', 'U0NOMAIL', 'U0GONE', ...many]);

    const { emails, unidentified } = await port.channelMembers({
      platform: 'slack',
      channel: 'C0SECURITY',
    });

    // The bot and the deleted account are not people; the member without an address might be anyone.
    expect(unidentified).toBe(1);
    expect(emails).toHaveLength(451);
    expect(emails[0]).toBe('ann.analyst@example.com');
    expect(emails).toContain('u0449@example.com');
    expect(fake.callsTo('conversations.members').map((call) => call.body.limit)).toEqual([
      '200',
      '200',
      '200',
    ]);
  });

  it('resolves a user to an e-mail', async () => {
    fake.users.set('U0ANN', { email: 'ann.analyst@example.com' });
    fake.users.set('U0BOT', { email: 'bot@example.com', isBot: true });

    expect(await port.resolveUser('U0ANN')).toBe('ann.analyst@example.com');
    expect(await port.resolveUser('U0BOT')).toBeNull();
    expect(await port.resolveUser('U0NOBODY')).toBeNull();
  });

  it('opens a form', async () => {
    const view = securityView();
    const escalate = view.actions.find((action) => action.event === 'ESCALATE');
    const form = buildForm('ESCALATE', escalate!.payload, {
      locale: 'en',
      caseKey: view.caseKey,
      actionLabel: escalate!.label,
      managerKnown: true,
    });

    await port.openForm({ platform: 'slack', triggerId: '111.222.valid' }, form!);

    const [call] = fake.callsTo('views.open');
    expect(call?.body.trigger_id).toBe('111.222.valid');
    expect(call?.body.view).toEqual(renderFormModal(form!));
  });

  it('throws rate limits with Retry-After and does not retry', async () => {
    fake.failNext('chat.postMessage', 1, { status: 429, retryAfterSeconds: 30 });

    const error = await port
      .postCard({ platform: 'slack', channel: 'C0SECURITY' }, securityView())
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(webApi.WebAPIRateLimitedError);
    expect((error as webApi.WebAPIRateLimitedError).retryAfter).toBe(30);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('throws server errors without retrying', async () => {
    fake.failNext('chat.update', 1, { status: 503 });
    const posted = await port.postCard({ platform: 'slack', channel: 'C1' }, securityView());

    const error = await port.updateCard(posted, securityView()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(webApi.WebAPIHTTPError);
    expect((error as webApi.WebAPIHTTPError).statusCode).toBe(503);
    expect(fake.callsTo('chat.update')).toHaveLength(1);
  });
});
