import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpStatusOf, TeamsChatPort } from '../../../src/chat/teams/teams-port.ts';
import { buildCaseView } from '../../../src/chat/view-model.ts';
import { activityKey, FakeBotConnector } from '../../support/fake-bot-connector.ts';
import { makeViewInput } from '../view-fixtures.ts';

const channel = '19:6decf54d86d945e4b3924b63a9161a78@thread.skype';
const tenantId = '0d9b645f-597b-41f0-a2a3-ef103fbd91bb';

// biome-ignore lint/suspicious/noExplicitAny: the tests read untyped activity JSON.
type Json = Record<string, any>;

let connector: FakeBotConnector;
let port: TeamsChatPort;

beforeEach(async () => {
  connector = new FakeBotConnector();
  await connector.start();
  port = new TeamsChatPort({
    serviceUrl: connector.url,
    http: {},
    tenantId,
    rosterConversations: [channel],
  });
});

afterEach(async () => {
  await connector.stop();
});

function securityView() {
  return buildCaseView(makeViewInput(), 'security', 'en');
}

describe('TeamsChatPort', () => {
  it('strips the service URL slash', () => {
    expect(connector.url.endsWith('/')).toBe(true);
    expect(port.serviceUrl).toBe(connector.url.slice(0, -1));
  });

  it('starts a reply chain for a card', async () => {
    const message = await port.postCard({ platform: 'teams', channel }, securityView());

    const [call] = connector.callsTo('POST', '/v3/conversations');
    expect(call?.status).toBe(201);
    const body = call?.body as Json;
    expect(body.channelData.channel.id).toBe(channel);
    expect(body.tenantId).toBe(tenantId);
    expect(body.activity.attachments[0].contentType).toBe(
      'application/vnd.microsoft.card.adaptive',
    );
    expect(body.activity.attachments[0].content.version).toBe('1.5');
    expect(message.platform).toBe('teams');
    expect(message.channel).toBe(channel);
    expect(message.threadRootId).toBeNull();
    expect(connector.activities.has(activityKey(channel, message.messageId))).toBe(true);
  });

  it('replies inside the reply chain', async () => {
    const root = await port.postCard({ platform: 'teams', channel }, securityView());
    const reply = await port.reply(
      { platform: 'teams', channel, rootId: root.messageId },
      'Note added by a@example.com.',
    );

    const chain = `${channel};messageid=${root.messageId}`;
    const [call] = connector.callsTo('POST', `/v3/conversations/${chain}/activities`);
    expect(call?.status).toBe(201);
    expect(call?.body).toEqual({
      type: 'message',
      text: 'Note added by a@example.com.',
      textFormat: 'plain',
    });
    expect(reply.threadRootId).toBe(root.messageId);
    expect(reply.channel).toBe(channel);
  });

  it('posts a card into a thread', async () => {
    const message = await port.postCard(
      { platform: 'teams', channel, rootId: '1611060744833' },
      securityView(),
    );

    const calls = connector.callsTo(
      'POST',
      `/v3/conversations/${channel};messageid=1611060744833/activities`,
    );
    expect(calls).toHaveLength(1);
    expect(message.threadRootId).toBe('1611060744833');
  });

  it('updates the root card in place', async () => {
    const root = await port.postCard({ platform: 'teams', channel }, securityView());
    const changed = buildCaseView(
      makeViewInput({ state: 'hr_review', version: 4 }),
      'security',
      'en',
    );
    await port.updateCard(root, changed);

    const chain = `${channel};messageid=${root.messageId}`;
    const [call] = connector.callsTo(
      'PUT',
      `/v3/conversations/${chain}/activities/${root.messageId}`,
    );
    expect(call?.status).toBe(200);
    const card = (call!.body as Json).attachments[0].content;
    expect(JSON.stringify(card)).toContain('HR review');
  });

  it('opens a 1:1 chat by object id', async () => {
    const dmPort = new TeamsChatPort({
      serviceUrl: connector.url,
      http: {},
      tenantId,
      findObjectId: async (email) => (email === 'mo@example.com' ? 'aad-mo' : null),
    });
    const view = buildCaseView(makeViewInput({ state: 'manager_notice' }), 'manager', 'en');
    const message = await dmPort.directMessage('mo@example.com', view);

    const [create] = connector.callsTo('POST', '/v3/conversations');
    expect((create!.body as Json).members[0].id).toBe('aad-mo');
    expect((create!.body as Json).isGroup).toBe(false);
    expect(message.channel).toBe('a:personal-aad-mo');
    const posts = connector.callsTo('POST', '/v3/conversations/a:personal-aad-mo/activities');
    expect(posts).toHaveLength(1);
  });

  it('falls back to the UPN', async () => {
    await port.directMessage('mo@example.com', 'Reminder');

    const [create] = connector.callsTo('POST', '/v3/conversations');
    expect((create!.body as Json).members[0].id).toBe('mo@example.com');
  });

  it('updates a direct message in its chat', async () => {
    const message = await port.directMessage('mo@example.com', 'Reminder');
    await port.updateCard(
      message,
      buildCaseView(makeViewInput({ state: 'follow_up' }), 'manager', 'en'),
    );

    const calls = connector.callsTo(
      'PUT',
      `/v3/conversations/a:personal-mo@example.com/activities/${message.messageId}`,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]?.status).toBe(200);
  });

  it('throws 403 when the app is missing', async () => {
    connector.notInstalledFor.add('mo@example.com');

    const error = await port.directMessage('mo@example.com', 'Reminder').catch((e) => e);
    expect(httpStatusOf(error)).toBe(403);
  });

  it('throws 429 with Retry-After', async () => {
    connector.failNext('createConversation', { status: 429, retryAfterSeconds: 7 });

    const error = await port
      .postCard({ platform: 'teams', channel }, securityView())
      .catch((e) => e);
    expect(httpStatusOf(error)).toBe(429);
    expect(error.response.headers['retry-after']).toBe('7');
  });

  it('throws 412 and 502 as they are', async () => {
    connector.failNext('createActivity', { status: 412 });
    connector.failNext('createActivity', { status: 502 });
    const thread = { platform: 'teams' as const, channel, rootId: '1' };

    expect(httpStatusOf(await port.reply(thread, 'a').catch((e) => e))).toBe(412);
    expect(httpStatusOf(await port.reply(thread, 'b').catch((e) => e))).toBe(502);
    const ok = await port.reply(thread, 'c');
    expect(ok.messageId).not.toBe('');
  });

  it('resolves a user from the roster', async () => {
    connector.members.set(channel, [
      {
        id: '29:alice',
        name: 'Alice',
        aadObjectId: 'b130c271-d2eb-45f9-83ab-9eb3fe3788bc',
        email: 'Alice@Example.com',
      },
      {
        id: '29:upn-only',
        name: 'Uma',
        aadObjectId: 'aad-uma',
        userPrincipalName: 'uma@example.com',
      },
    ]);

    expect(await port.resolveUser('29:alice')).toBe('Alice@Example.com');
    expect(await port.resolveUser('b130c271-d2eb-45f9-83ab-9eb3fe3788bc')).toBe(
      'Alice@Example.com',
    );
    expect(await port.resolveUser('aad-uma')).toBe('uma@example.com');
    expect(await port.resolveUser('29:nobody')).toBeNull();
  });

  it('pages through channel members', async () => {
    const members = Array.from({ length: 620 }, (_, index) => ({
      id: `29:user-${index}`,
      name: `User ${index}`,
      aadObjectId: `aad-${index}`,
      ...(index === 3 ? {} : { email: `User${index}@Example.com` }),
    }));
    connector.members.set(channel, members);

    const { emails, unidentified } = await port.channelMembers({ platform: 'teams', channel });
    expect(emails).toHaveLength(619);
    expect(emails[0]).toBe('user0@example.com');
    expect(emails).not.toContain('user3@example.com');
    expect(unidentified).toBe(1);
    const pages = connector.callsTo('GET', `/v3/conversations/${channel}/pagedMembers`);
    expect(pages).toHaveLength(2);
    expect(pages[1]?.query.get('continuationToken')).toBe('500');
  });

  it('rejects openForm', async () => {
    const view = securityView();
    const form = view.actions.find((action) => action.form !== null)?.form;
    if (form === undefined || form === null) throw new Error('fixture has no form');

    await expect(port.openForm({ platform: 'teams', triggerId: 'f:1' }, form)).rejects.toThrow(
      /openForm is not supported/,
    );
  });
});
