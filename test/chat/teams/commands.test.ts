import type { IMessageActivity } from '@microsoft/teams.api';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { showCase } from '../../../src/cases/show-case.ts';
import { renderRefusal } from '../../../src/chat/refusal.ts';
import { refreshVerb } from '../../../src/chat/teams/cards.ts';
import { commandTextOf } from '../../../src/chat/teams/message-command.ts';
import { teamsText } from '../../../src/chat/teams/messages.ts';
import { people, seedExampleDirectory } from '../../support/builders.ts';
import { type ConnectorCall, FakeBotConnector } from '../../support/fake-bot-connector.ts';
import { describeStores } from '../../support/stores.ts';
import { openCase, waitFor } from '../slack/slack-harness.ts';
import { corpus, type Json, postActivity, startTeamsServer } from './teams-harness.ts';

/** The bot as the corpus message names it in `recipient`. */
const bot = { id: '8:orgid:6aebbad0-e5a5-424a-834a-20fb051f3c1a', name: 'Casebridge' };
const channel = '19:aebd0ad4d6ab42c8b9ed19c251c2fc37@thread.skype';
const replyChain = `${channel};messageid=1481567603816`;

/** Teams users of the tests: `29:` id, Entra object id, and the directory e-mail. */
const teamsUsers = {
  analyst: { id: '29:analyst', aadObjectId: 'aad-analyst', email: people.analyst },
  hr: { id: '29:hr', aadObjectId: 'aad-hr', email: people.hr },
  manager: { id: '29:manager', aadObjectId: 'aad-manager', email: people.manager },
  subject: { id: '29:subject', aadObjectId: 'aad-subject', email: people.subject },
  stranger: { id: '29:stranger', aadObjectId: 'aad-stranger', email: 'nobody@example.com' },
};
type TeamsUser = (typeof teamsUsers)[keyof typeof teamsUsers];

/** The 1:1 chat of each user with the bot. */
const personalChat = (user: TeamsUser) => `a:personal-${user.id}`;

let sequence = 0;

/**
 * Builds the corpus channel message as sent by `user` to the bot: the text starts with the bot's
 * @mention, as Teams writes it. Without `conversationId` it is in the corpus reply chain.
 */
function message(
  serviceUrl: string,
  user: TeamsUser,
  command: string,
  conversationId = replyChain,
): Json {
  const activity = corpus('message-channel-mention-reply.json');
  sequence++;
  activity.id = `1481567603816${sequence}`;
  activity.serviceUrl = serviceUrl;
  activity.from = { id: user.id, name: 'Test User', aadObjectId: user.aadObjectId };
  activity.recipient = bot;
  activity.conversation = { id: conversationId };
  activity.text = `<at>${bot.name}</at> ${command}`;
  activity.entities = [{ type: 'mention', mentioned: bot, text: `<at>${bot.name}</at>` }];
  activity.attachments = [];
  return activity;
}

describeStores('teams bot commands', (current) => {
  let connector: FakeBotConnector;
  let server: FastifyInstance;
  let url: string;
  const store = () => current().store;

  beforeAll(async () => {
    await seedExampleDirectory(store().db);
    connector = new FakeBotConnector();
    await connector.start();
    const members = Object.values(teamsUsers).map((user) => ({ ...user, name: user.email }));
    connector.members.set(channel, members);
    for (const user of Object.values(teamsUsers)) {
      connector.members.set(personalChat(user), [{ ...user, name: user.email }]);
    }
    ({ server, url } = await startTeamsServer(store(), connector));
  });

  afterAll(async () => {
    await server?.close();
    await connector?.stop();
  });

  const post = (activity: Json) => postActivity(url, activity);

  function repliesIn(conversationId: string): ConnectorCall[] {
    return connector.callsTo('POST', `/v3/conversations/${conversationId}/activities`);
  }

  /** Sends a command and returns the bot's reply activity in the same conversation. */
  async function run(user: TeamsUser, command: string, conversationId = replyChain) {
    const before = repliesIn(conversationId).length;
    const status = await post(message(connector.url, user, command, conversationId));
    expect(status).toBe(200);
    const call = await waitFor(() => repliesIn(conversationId)[before]);
    expect(call.status).toBe(201);
    return call.body as Json;
  }

  it('answers help in the reply chain', async () => {
    const reply = await run(teamsUsers.analyst, 'help');

    expect(reply.type).toBe('message');
    expect(reply.textFormat).toBe('markdown');
    expect(reply.text).toBe(teamsText('en', 'command.help'));
  });

  it('keeps show and mine out of channels', async () => {
    const { key } = await openCase(store(), 'channel.subject@example.com');
    for (const command of [`show ${key}`, 'mine']) {
      const before = repliesIn(replyChain).length;
      const activity = message(connector.url, teamsUsers.analyst, command);
      activity.conversation = { id: replyChain, conversationType: 'channel' };
      expect(await post(activity)).toBe(200);
      const reply = (await waitFor(() => repliesIn(replyChain)[before])).body as Json;
      expect(reply.text).toBe(
        teamsText('en', 'command.personalOnly', { name: command.split(' ')[0]! }),
      );
      expect(reply.attachments ?? []).toEqual([]);
    }
  });

  it('names an unknown command', async () => {
    const reply = await run(teamsUsers.analyst, 'Frobnicate CB-0001');

    expect(reply.text).toBe(
      `${teamsText('en', 'command.unknown', { name: 'frobnicate' })}\n\n${teamsText('en', 'command.help')}`,
    );
  });

  it('shows a case in a 1:1 chat', async () => {
    const { key, id } = await openCase(store(), 'show.subject@example.com');
    const chat = personalChat(teamsUsers.analyst);

    const reply = await run(teamsUsers.analyst, `show ${key}`, chat);

    expect(reply.attachments).toHaveLength(1);
    const attachment = reply.attachments[0];
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment.content;
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(card.actions ?? []).toEqual([]);
    expect(card.refresh.userIds).toEqual([teamsUsers.analyst.id]);
    expect(card.refresh.action.verb).toBe(refreshVerb);
    expect(card.refresh.action.data).toEqual({ caseId: id, audience: 'security' });
    expect(JSON.stringify(card)).toContain(key);
    expect(reply.text).toContain(key);
  });

  it('keeps a triage case from HR', async () => {
    const { key } = await openCase(store(), 'show.subject@example.com');

    const reply = await run(teamsUsers.hr, `show ${key}`);

    expect(reply.text).toBe(teamsText('en', 'command.notShared', { key, state: 'Triage' }));
    expect(reply.attachments ?? []).toEqual([]);
  });

  it('shows nothing without a role', async () => {
    const { key } = await openCase(store(), 'show.subject@example.com');

    const reply = await run(teamsUsers.manager, `show ${key}`);

    expect(reply.text).toBe(teamsText('en', 'command.noRole'));
  });

  it('reports an unknown case', async () => {
    const unknown = await run(teamsUsers.analyst, 'show CB-9999');
    const usage = await run(teamsUsers.analyst, 'show');

    expect(unknown.text).toBe(renderRefusal({ kind: 'caseNotFound', caseKey: 'CB-9999' }, 'en'));
    expect(usage.text).toBe(teamsText('en', 'command.usage.show'));
  });

  it('hides a case from its subject', async () => {
    const own = await openCase(store(), people.analyst);

    const reply = await run(teamsUsers.analyst, `show ${own.key}`);

    expect(reply.text).toBe(renderRefusal({ kind: 'caseNotFound', caseKey: own.key }, 'en'));
    expect(reply.attachments ?? []).toEqual([]);
  });

  it('tells a user outside the directory', async () => {
    const reply = await run(teamsUsers.stranger, 'mine');

    expect(reply.text).toBe(
      renderRefusal(
        { kind: 'unknownEmail', platform: 'teams', email: teamsUsers.stranger.email },
        'en',
      ),
    );
  });

  it('lists the cases waiting for security', async () => {
    const { key } = await openCase(store(), 'mine.subject@example.com');

    const reply = await run(teamsUsers.analyst, 'mine', personalChat(teamsUsers.analyst));

    expect(reply.text).toContain(`- **${key}** · Triage ·`);
    expect(reply.text).toMatch(/^\*\*Waiting for your decision: (1 case|\d+ cases)\*\*\n/);
    expect(reply.text).not.toContain('mine.subject@example.com');
  });

  it('adds a note', async () => {
    const { key } = await openCase(store(), 'note.subject@example.com');

    const reply = await run(teamsUsers.analyst, `note ${key} Called the manager.\nNo answer.`);

    expect(reply.text).toBe(teamsText('en', 'command.noteAdded', { key }));
    const detail = await showCase(store().db, key);
    expect(detail.events.at(-1)).toMatchObject({
      type: 'NOTE',
      outcome: 'accepted',
      actor: people.analyst,
      reason: 'Called the manager.\nNo answer.',
    });
    expect(detail.state).toBe('triage');
  });

  it('refuses a note without a role', async () => {
    const { key } = await openCase(store(), 'note.subject@example.com');

    const refused = await run(teamsUsers.manager, `note ${key} I heard something.`);
    const usage = await run(teamsUsers.analyst, `note ${key}`);

    expect(refused.text).toBe(
      renderRefusal({ kind: 'roleRequired', roles: ['security', 'hr', 'legal'] }, 'en'),
    );
    expect(usage.text).toBe(teamsText('en', 'command.usage.note'));
  });

  it('answers a redelivered message once', async () => {
    const { key } = await openCase(store(), 'note.subject@example.com');
    const activity = message(connector.url, teamsUsers.analyst, `note ${key} Sent twice.`);
    const before = repliesIn(replyChain).length;

    expect(await post(activity)).toBe(200);
    await waitFor(() => repliesIn(replyChain)[before]);
    expect(await post(activity)).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(repliesIn(replyChain)).toHaveLength(before + 1);
    const notes = (await showCase(store().db, key)).events.filter((event) => event.type === 'NOTE');
    expect(notes).toHaveLength(1);
  });
});

describe('teams command text', () => {
  it('strips the bot mention', () => {
    const activity = message('http://127.0.0.1:1/', teamsUsers.analyst, 'show CB-0001');

    expect(commandTextOf(activity as IMessageActivity)).toBe('show CB-0001');
  });

  it('keeps mentions of other users', () => {
    const bob = corpus('message-channel-mention-reply.json').entities[0].mentioned;
    const activity = message('http://127.0.0.1:1/', teamsUsers.analyst, 'note CB-0001 ask');
    activity.text = `${activity.text} <at>${bob.name}</at>`;
    activity.entities.push({ type: 'mention', mentioned: bob, text: `<at>${bob.name}</at>` });

    expect(commandTextOf(activity as IMessageActivity)).toBe(
      'note CB-0001 ask <at>Bob Example</at>',
    );
  });
});
