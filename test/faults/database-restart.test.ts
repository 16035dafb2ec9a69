import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickPayload, type Json, postInteraction } from '../chat/slack/slack-payloads.ts';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { clusterAvailable, type PgCluster, startPgCluster } from './support/pg-cluster.ts';
import {
  type BotProcess,
  channels,
  createFaultDatabase,
  type FaultDatabase,
  serverUrl,
  sleep,
  startBot,
  waitUntil,
  writeFaultConfig,
} from './support/processes.ts';
import {
  postSignals,
  slackBotEnv,
  slackSigningSecret,
  staff,
  startFakeSlack,
  webhookSignal,
} from './support/slack-bots.ts';

/** Seconds the cluster stays down; long enough for requests and clicks to meet the outage. */
const outageSeconds = 4;

interface Delivery {
  batch: Array<{ id: string }>;
  status: number;
  retryAfter: string | null;
  body: string;
}

describe.skipIf(serverUrl === '' || !clusterAvailable)('PostgreSQL restarted under load', () => {
  let cluster: PgCluster;
  let database: FaultDatabase;
  let config: ReturnType<typeof writeFaultConfig>;
  let fake: FakeSlackApi;
  let bot: BotProcess;
  let sql: postgres.Sql;

  beforeAll(async () => {
    cluster = await startPgCluster();
    database = await createFaultDatabase(cluster.url);
    config = writeFaultConfig();
    fake = await startFakeSlack();
    bot = await startBot({
      DATABASE_URL: database.url,
      CASEBRIDGE_CONFIG: config.configPath,
      ...slackBotEnv(fake),
    });
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await sql?.end({ timeout: 1 });
    await fake?.close();
    await database?.drop().catch(() => {});
    await cluster?.destroy();
    config?.remove();
  });

  /** Finds the first case button of the security card the fake received. */
  async function securityButton(): Promise<Json> {
    const root = await waitUntil('the security card', () =>
      [...fake.messages.values()].find(
        (message) => message.channel === channels.security && message.threadTs === null,
      ),
    );
    const actions = (root.blocks as Json[]).find((block) => block.type === 'actions');
    const button = (actions?.elements as Json[] | undefined)?.find((element) =>
      String(element.action_id).startsWith('case:'),
    );
    if (button === undefined) throw new Error('the security card has no case button');
    return button;
  }

  it('refuses with 503 and loses nothing', { timeout: 120_000 }, async () => {
    const deliveries: Delivery[] = [];
    let running = true;
    const client = (async () => {
      for (let round = 0; running; round++) {
        const batch = [
          webhookSignal(`outage.subject${round % 7}@example.net`),
          webhookSignal(`outage.subject${(round + 3) % 7}@example.net`),
        ];
        const response = await postSignals(bot.url, batch);
        deliveries.push({
          batch,
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          body: await response.text(),
        });
        await sleep(100);
      }
    })();

    await waitUntil('some accepted batches', () => deliveries.some((d) => d.status === 202));
    const button = await securityButton();
    const [before] = await sql<{ state: string }[]>`
      select string_agg(state, ',' order by number) as state from cases`;

    await cluster.stop('fast');
    const readyDuringOutage = await fetch(`${bot.url}/readyz`);
    const ephemeralBefore = fake.callsTo('chat.postEphemeral').length;
    const click = await postInteraction(
      bot.url,
      clickPayload({ userId: staff.analyst.id, button, channel: channels.security }),
      { secret: slackSigningSecret },
    );
    const reply = await waitUntil(
      'the reply to the click',
      () => fake.callsTo('chat.postEphemeral')[ephemeralBefore],
    );
    await sleep(outageSeconds * 1000);
    await cluster.start();

    const readyAgain = await waitUntil(
      'readiness to recover',
      async () => {
        const response = await fetch(`${bot.url}/readyz`);
        return response.status === 200 ? response : undefined;
      },
      30_000,
      250,
    );
    await waitUntil(
      'accepted batches after the restart',
      () => deliveries.slice(-3).every((d) => d.status === 202) && deliveries.length > 3,
      30_000,
    );
    running = false;
    await client;
    const [after] = await sql<{ state: string }[]>`
      select string_agg(state, ',' order by number) as state from cases`;

    // The same button works again once the database is back: a form opens or the event applies.
    const formsBefore = fake.callsTo('views.open').length;
    const again = await postInteraction(
      bot.url,
      clickPayload({ userId: staff.analyst.id, button, channel: channels.security }),
      { secret: slackSigningSecret },
    );
    expect(again.status).toBe(200);
    await waitUntil('the click after the restart to take effect', async () => {
      if (fake.callsTo('views.open').length > formsBefore) return true;
      const applied = await sql`select id from audit_events where actor = ${staff.analyst.email}`;
      return applied.length > 0;
    });
    expect(fake.callsTo('chat.postEphemeral')).toHaveLength(ephemeralBefore + 1);

    expect(readyDuringOutage.status).toBe(503);
    expect(readyAgain.status).toBe(200);
    expect(click.status).toBe(200);
    expect(reply.body.user).toBe(staff.analyst.id);
    expect(String(reply.body.text)).toMatch(/try again/);

    const statuses = new Set(deliveries.map((d) => d.status));
    expect(statuses.has(503)).toBe(true);
    for (const delivery of deliveries.filter((d) => d.status !== 202)) {
      expect({ status: delivery.status, body: delivery.body }).toEqual({
        status: 503,
        body: expect.stringContaining('"DATABASE_UNAVAILABLE"'),
      });
      expect(delivery.retryAfter).toMatch(/^\d+$/);
    }

    // The click during the outage changed no case and stored no receipt; only the later click did.
    expect(before?.state.split(',').every((state) => state === 'triage')).toBe(true);
    expect(after?.state.split(',').every((state) => state === 'triage')).toBe(true);
    const receipts = await sql`select key from inbound_receipts where key like 'slack:action:%'`;
    expect(receipts).toHaveLength(1);

    // Every accepted signal is in a case; the refused ones are stored after a retry.
    const accepted = deliveries.filter((d) => d.status === 202).flatMap((d) => d.batch);
    const refused = deliveries.filter((d) => d.status !== 202).flatMap((d) => d.batch);
    const retried = await postSignals(bot.url, refused);
    expect(retried.status).toBe(202);
    const stored = await sql<{ external_id: string }[]>`
      select external_id from signals where case_id is not null`;
    const storedIds = new Set(stored.map((row) => row.external_id));
    for (const signal of [...accepted, ...refused]) expect(storedIds.has(signal.id)).toBe(true);
    expect(storedIds.size).toBe(accepted.length + refused.length);
    console.info(
      `database restart: ${deliveries.length} requests, ${accepted.length} signals accepted, ` +
        `${refused.length} refused with 503 and stored on retry`,
    );
  });
});
