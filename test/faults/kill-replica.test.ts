import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { collectDeliveries, type DeliveryReport } from './support/check-deliveries.ts';
import { type HeldRequest, HoldingProxy } from './support/holding-proxy.ts';
import {
  type BotProcess,
  channels,
  createFaultDatabase,
  type FaultDatabase,
  serverUrl,
  startBot,
  waitUntil,
  writeFaultConfig,
} from './support/processes.ts';
import {
  postCaseEvent,
  postSignals,
  slackBotEnv,
  staff,
  startFakeSlack,
  webhookSignal,
} from './support/slack-bots.ts';

const subject = 'crash.subject@example.net';

interface CaseRow {
  id: string;
  key: string;
  state: string;
  version: number;
}

describe.skipIf(serverUrl === '')('kill -9 of a replica', () => {
  let database: FaultDatabase;
  let config: ReturnType<typeof writeFaultConfig>;
  let fake: FakeSlackApi;
  let proxy: HoldingProxy;
  let sql: postgres.Sql;
  let env: Record<string, string>;
  let bot: BotProcess | undefined;
  let caseRow: CaseRow;

  beforeAll(async () => {
    database = await createFaultDatabase();
    config = writeFaultConfig();
    fake = await startFakeSlack();
    proxy = await HoldingProxy.start(fake.url);
    env = {
      DATABASE_URL: database.url,
      CASEBRIDGE_CONFIG: config.configPath,
      ...slackBotEnv(fake),
      SLACK_API_URL: proxy.url,
    };
    bot = await startBot(env);
    sql = postgres(database.url, { max: 2, onnotice: () => {} });

    const response = await postSignals(bot.url, [webhookSignal(subject)]);
    expect(response.status).toBe(202);
    caseRow = await currentCase();
    await outboxDrained();
  }, 120_000);

  afterAll(async () => {
    await bot?.stop();
    await sql?.end();
    await proxy?.close();
    await fake?.close();
    await database?.drop();
    config?.remove();
  });

  function outboxDrained() {
    return waitUntil(
      'the outbox to drain',
      async () => {
        const [row] = await sql<{ pending: number }[]>`
          select count(*)::int as pending from outbox where status = 'pending'`;
        return row?.pending === 0;
      },
      60_000,
      200,
    );
  }

  async function counts() {
    const [row] = await sql<{ audit: number; outbox: number; timers: number }[]>`
      select
        (select count(*)::int from audit_events) as audit,
        (select count(*)::int from outbox) as outbox,
        (select count(*)::int from timers) as timers`;
    return row!;
  }

  async function currentCase(): Promise<CaseRow> {
    const [row] = await sql<CaseRow[]>`select id, key, state, version from cases`;
    return row!;
  }

  it('rolls back a transition cut off by kill -9', { timeout: 120_000 }, async () => {
    const before = await counts();
    const running = bot!;

    // Holding every audit head makes the transition stop after it wrote the case row and before
    // it appended its audit event, in the middle of its transaction.
    const blocker = await sql.reserve();
    await blocker`begin`;
    await blocker`select stream from audit_heads for update`;
    const request = postCaseEvent(running.url, caseRow.key, staff.analyst.email, {
      type: 'ESCALATE',
      summary: 'Escalated while the replica is killed',
    }).then(
      (response) => `answered ${response.status}`,
      () => 'connection lost',
    );
    await waitUntil('the transition to wait for the audit lock', async () => {
      const [row] = await sql<{ waiting: number }[]>`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`;
      return row !== undefined && row.waiting > 0;
    });
    await running.kill9();
    expect(await request).toBe('connection lost');
    await blocker`rollback`;
    blocker.release();

    // The server ends the dead client's transaction once it notices the closed socket.
    await waitUntil('the killed backend to go away', async () => {
      const [row] = await sql<{ waiting: number }[]>`
        select count(*)::int as waiting from pg_stat_activity
        where datname = current_database()
          and (state like 'idle in transaction%' or wait_event_type = 'Lock')`;
      return row?.waiting === 0;
    });
    expect(await currentCase()).toEqual(caseRow);
    expect(await counts()).toEqual(before);

    bot = await startBot(env);
    const retried = await postCaseEvent(bot.url, caseRow.key, staff.analyst.email, {
      type: 'ESCALATE',
      summary: 'Escalated after the restart',
    });
    expect(retried.status).toBe(200);
    const after = await currentCase();
    expect(after.state).toBe('hr_review');
    expect(after.version).toBe(caseRow.version + 1);
    const escalations = await sql`
      select id from audit_events where case_id = ${caseRow.id} and type = 'ESCALATE'`;
    expect(escalations).toHaveLength(1);
    const verified = await fetch(`${bot.url}/api/audit/verify`);
    expect(((await verified.json()) as { ok: boolean }).ok).toBe(true);
    await outboxDrained();
  });

  /**
   * Kills the replica while the fake Slack API holds a `chat.postMessage` open, lets the lease of
   * the claimed message run out, restarts, and returns the held request and the deliveries.
   */
  async function killDuringDelivery(
    mode: 'forwarded' | 'dropped',
    trigger: (url: string) => Promise<Response> = (url) =>
      postCaseEvent(url, caseRow.key, staff.hr.email, {
        type: 'NOTE',
        text: `Note before a kill during a ${mode} delivery`,
      }),
  ): Promise<{ held: HeldRequest; report: DeliveryReport }> {
    const running = bot!;
    const holding = proxy.holdNext('chat.postMessage', mode);
    const triggered = await trigger(running.url);
    expect(triggered.ok).toBe(true);
    const held = await holding;
    await running.kill9();
    held.release();
    proxy.resume();

    // The claimed messages (the held one and any other the worker's round took) keep their lease
    // of 60 s after the crash. The test ends the leases now instead of waiting 60 s.
    const leased = await sql`
      update outbox set lease_until = now() where status = 'pending' and lease_until > now()
      returning id`;
    expect(leased.length).toBeGreaterThan(0);

    bot = await startBot(env);
    await outboxDrained();
    return { held, report: await collectDeliveries(database.url, fake) };
  }

  it('posts a held message once when Slack never got it', { timeout: 120_000 }, async () => {
    const { report } = await killDuringDelivery('dropped');

    expect(report.statuses).toEqual({ sent: expect.any(Number) });
    for (const thread of report.threads) {
      expect({ thread: thread.audience, sent: thread.observed }).toEqual({
        thread: thread.audience,
        sent: thread.expected,
      });
    }
  });

  it('posts a held message twice when Slack got it', { timeout: 120_000 }, async () => {
    const { held, report } = await killDuringDelivery('forwarded');
    const text = new URLSearchParams(held.body).get('text');
    const channel = new URLSearchParams(held.body).get('channel');

    expect(report.statuses).toEqual({ sent: expect.any(Number) });
    for (const thread of report.threads) {
      const duplicate = `reply:${text}`;
      // At-least-once at the Slack boundary: Slack accepted the post, the bot died before it
      // recorded that, so the next replica posts it again. Everything else goes out once.
      const expected = [...thread.expected];
      if (thread.channel === channel) {
        const last = expected.lastIndexOf(duplicate);
        expect(last).toBeGreaterThan(-1);
        expected.splice(last, 0, duplicate);
      }
      expect({ thread: thread.audience, sent: thread.observed }).toEqual({
        thread: thread.audience,
        sent: expected,
      });
    }
  });

  it('posts a first card twice when Slack got it', { timeout: 120_000 }, async () => {
    const { held, report } = await killDuringDelivery('forwarded', (url) =>
      postSignals(url, [webhookSignal('crash.second@example.net')]),
    );
    const fields = new URLSearchParams(held.body);

    // The held call was the new case's first card, a root message of the security channel.
    expect(fields.get('channel')).toBe(channels.security);
    expect(fields.get('thread_ts')).toBeNull();
    expect(report.statuses).toEqual({ sent: expect.any(Number) });
    // The orphaned first post is the one extra root; the thread continues under the second.
    const security = report.rootsPerChannel[channels.security];
    expect(security?.roots).toBe((security?.threads ?? 0) + 1);
    // The earlier tests left their own duplicates in the first case's threads.
    for (const thread of report.threads.filter((candidate) => candidate.caseId !== caseRow.id)) {
      expect({ thread: thread.audience, sent: thread.observed }).toEqual({
        thread: thread.audience,
        sent: thread.expected,
      });
    }
  });
});
