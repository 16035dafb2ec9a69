import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { identifyChatUser, identityTtlMs, missingEmailTtlMs } from '../../../src/chat/identity.ts';
import { createSlackClient, SlackChatPort } from '../../../src/chat/slack/slack-port.ts';
import { chatIdentities, roleGrants } from '../../../src/store/schema.ts';
import { people, seedExampleDirectory, silentLogger } from '../../support/builders.ts';
import { FakeSlackApi } from '../../support/fake-slack-api.ts';
import { describeStores } from '../../support/stores.ts';
import { botToken } from './slack-payloads.ts';

describeStores('identifyChatUser', (current) => {
  let fake: FakeSlackApi;
  let clock: Date;
  const deps = () => ({
    db: current().store.db,
    port: new SlackChatPort(
      createSlackClient({ token: botToken, slackApiUrl: fake.url, logger: silentLogger }),
    ),
    now: () => clock,
  });
  const lookups = () => fake.callsTo('users.info').length;

  beforeAll(async () => {
    await seedExampleDirectory(current().store.db);
    fake = await FakeSlackApi.start({ token: botToken });
  });

  beforeEach(async () => {
    clock = new Date('2026-12-01T09:00:00Z');
    await current().store.db.delete(chatIdentities);
  });

  afterAll(async () => {
    await fake.close();
  });

  it('resolves a person with roles', async () => {
    fake.users.set('U0HANA', { email: 'Hana.HR@example.com' });

    const identity = await identifyChatUser(deps(), 'U0HANA');

    expect(identity).toEqual({
      kind: 'person',
      platformUserId: 'U0HANA',
      email: people.hr,
      name: 'Hana Hr',
      roles: ['hr'],
      locale: 'en',
    });
  });

  it('caches the e-mail for 24 hours', async () => {
    fake.users.set('U0ANN', { email: people.analyst });
    const before = lookups();

    await identifyChatUser(deps(), 'U0ANN');
    clock = new Date(clock.getTime() + identityTtlMs - 1000);
    await identifyChatUser(deps(), 'U0ANN');
    expect(lookups()).toBe(before + 1);

    clock = new Date(clock.getTime() + 2000);
    await identifyChatUser(deps(), 'U0ANN');
    expect(lookups()).toBe(before + 2);
    const [row] = await current()
      .store.db.select()
      .from(chatIdentities)
      .where(and(eq(chatIdentities.platform, 'slack'), eq(chatIdentities.userId, 'U0ANN')));
    expect(row?.email).toBe(people.analyst);
    expect(row?.resolvedAt.toISOString()).toBe(clock.toISOString());
  });

  it('reads roles at every call', async () => {
    fake.users.set('U0BEN', { email: people.analyst2 });
    const db = current().store.db;
    await identifyChatUser(deps(), 'U0BEN');

    await db.delete(roleGrants).where(eq(roleGrants.email, people.analyst2));
    const revoked = await identifyChatUser(deps(), 'U0BEN');
    await db.insert(roleGrants).values({ email: people.analyst2, role: 'security' });

    expect(revoked).toMatchObject({ kind: 'person', roles: [] });
  });

  it('reports an e-mail outside the directory', async () => {
    fake.users.set('U0PAT', { email: 'pat@example.com' });

    expect(await identifyChatUser(deps(), 'U0PAT')).toEqual({
      kind: 'unknownEmail',
      platformUserId: 'U0PAT',
      email: 'pat@example.com',
    });
  });

  it('asks again soon when Slack gave no e-mail', async () => {
    fake.users.set('U0NOMAIL', { email: null });
    const before = lookups();

    expect(await identifyChatUser(deps(), 'U0NOMAIL')).toEqual({
      kind: 'noEmail',
      platformUserId: 'U0NOMAIL',
    });
    await identifyChatUser(deps(), 'U0NOMAIL');
    expect(lookups()).toBe(before + 1);

    fake.users.set('U0NOMAIL', { email: people.legal });
    clock = new Date(clock.getTime() + missingEmailTtlMs + 1000);
    expect(await identifyChatUser(deps(), 'U0NOMAIL')).toMatchObject({
      kind: 'person',
      email: people.legal,
      roles: ['legal'],
    });
  });
});
