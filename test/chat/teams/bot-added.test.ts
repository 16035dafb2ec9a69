import { count } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Store } from '../../../src/store/db.ts';
import { chatIdentities, inboundReceipts } from '../../../src/store/schema.ts';
import { FakeBotConnector } from '../../support/fake-bot-connector.ts';
import { describeStores } from '../../support/stores.ts';
import {
  corpus,
  type Json,
  postActivity,
  recordingLogger,
  startTeamsServer,
} from './teams-harness.ts';

const addedMessage = 'teams bot added to a team; copy channelId into routing to post cases there';

async function storedRows(store: Store): Promise<number[]> {
  const [receipts] = await store.db.select({ n: count() }).from(inboundReceipts);
  const [identities] = await store.db.select({ n: count() }).from(chatIdentities);
  return [receipts!.n, identities!.n];
}

describeStores('teams conversation update', (current) => {
  let connector: FakeBotConnector;
  let server: FastifyInstance;
  let url: string;
  const recorded = recordingLogger();
  const store = () => current().store;

  beforeAll(async () => {
    connector = new FakeBotConnector();
    await connector.start();
    ({ server, url } = await startTeamsServer(store(), connector, recorded.logger));
  });

  afterAll(async () => {
    await server?.close();
    await connector?.stop();
  });

  const addedLines = () => recorded.lines.filter((line) => line.msg === addedMessage);

  it('logs the ids when added to a team', async () => {
    const activity = corpus('conversation-update-bot-added-to-team.json');
    activity.serviceUrl = connector.url;
    const before = await storedRows(store());

    const status = await postActivity(url, activity);

    expect(status).toBe(200);
    const lines = addedLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(30);
    expect(lines[0]).toMatchObject({
      platform: 'teams',
      teamId: '19:efa9296d959346209fea44151c742e73@thread.skype',
      channelId: '19:efa9296d959346209fea44151c742e73@thread.skype',
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    });
    expect(await storedRows(store())).toEqual(before);
    expect(connector.calls).toEqual([]);
  });

  it('logs the named channel', async () => {
    const activity: Json = corpus('conversation-update-bot-added-to-team.json');
    activity.serviceUrl = connector.url;
    activity.channelData.channel = { id: '19:named-channel@thread.tacv2' };
    const before = addedLines().length;

    expect(await postActivity(url, activity)).toBe(200);

    expect(addedLines()).toHaveLength(before + 1);
    expect(addedLines().at(-1)?.channelId).toBe('19:named-channel@thread.tacv2');
  });

  it('ignores a user joining the team', async () => {
    const activity = corpus('conversation-update-bot-added-to-team.json');
    activity.serviceUrl = connector.url;
    activity.membersAdded = [{ id: '29:a-new-colleague' }];
    const before = addedLines().length;

    expect(await postActivity(url, activity)).toBe(200);

    expect(addedLines()).toHaveLength(before);
  });
});
