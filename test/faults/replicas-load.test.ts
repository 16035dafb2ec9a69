import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSlackApi } from '../support/fake-slack-api.ts';
import { collectDeliveries } from './support/check-deliveries.ts';
import {
  type BotProcess,
  createFaultDatabase,
  errorLines,
  type FaultDatabase,
  serverUrl,
  sleep,
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

/** Length of the mixed load in seconds; CI may shorten or lengthen it. */
const loadSeconds = Number(process.env.FAULTS_LOAD_SECONDS ?? '30');
/** Subjects outside the directory, so that each gets one open case that later signals join. */
const subjects = Array.from({ length: 12 }, (_, i) => `load.subject${i}@example.net`);

describe.skipIf(serverUrl === '')('two replicas under mixed load', () => {
  let database: FaultDatabase;
  let config: ReturnType<typeof writeFaultConfig>;
  let fake: FakeSlackApi;
  const bots: BotProcess[] = [];

  beforeAll(async () => {
    database = await createFaultDatabase();
    config = writeFaultConfig();
    fake = await startFakeSlack();
    const env = {
      DATABASE_URL: database.url,
      CASEBRIDGE_CONFIG: config.configPath,
      CASEBRIDGE_TIMERS_CRON: '*/2 * * * * *',
      ...slackBotEnv(fake),
    };
    bots.push(await startBot(env));
    bots.push(await startBot(env));
  }, 180_000);

  afterAll(async () => {
    for (const bot of bots) await bot.stop();
    await fake?.close();
    await database?.drop();
    config?.remove();
  });

  it('fires and delivers everything once', { timeout: 150_000 + loadSeconds * 2000 }, async () => {
    const sql = postgres(database.url, { max: 2, onnotice: () => {} });
    const accepted = new Set<string>();
    const failures: string[] = [];
    const stopAt = Date.now() + loadSeconds * 1000;
    let actions = 0;
    let timerBatches = 0;

    // The outbox worker posts about once a second per channel and replica, and a signal or a note
    // posts in two threads. One request a second per loop keeps the drain to about a minute.
    const intake = async () => {
      for (let round = 0; Date.now() < stopAt; round++) {
        const bot = bots[round % bots.length]!;
        const batch = Array.from({ length: 1 + (round % 3) }, (_, i) =>
          webhookSignal(subjects[(round * 5 + i) % subjects.length]!),
        );
        const response = await postSignals(bot.url, batch);
        if (response.status === 202) for (const signal of batch) accepted.add(signal.id);
        else failures.push(`intake ${response.status}: ${await response.text()}`);
        await sleep(1000);
      }
    };

    const act = async () => {
      for (let round = 0; Date.now() < stopAt; round++) {
        const bot = bots[round % bots.length]!;
        const open = await sql<{ key: string; state: string }[]>`
          select key, state from cases where state <> 'closed' order by random() limit 1`;
        const target = open[0];
        if (target !== undefined) {
          const event =
            target.state === 'triage' && round % 4 === 3
              ? { type: 'ESCALATE', summary: `Escalated in load round ${round}` }
              : { type: 'NOTE', text: `Note from load round ${round}` };
          const as = target.state === 'triage' ? staff.analyst.email : staff.hr.email;
          const response = await postCaseEvent(bot.url, target.key, as, event);
          // 409: the other replica changed the case first, which the caller sees and may retry.
          if (response.status !== 200 && response.status !== 409) {
            failures.push(`act ${response.status}: ${await response.text()}`);
          }
          actions++;
        }
        await sleep(1000);
      }
    };

    // Makes about a third of the pending timers due now, so that the schedulers of both
    // replicas compete for them while cases change.
    const makeTimersDue = async () => {
      while (Date.now() < stopAt) {
        await sql`update timers set due_at = now() where status = 'pending' and random() < 0.3`;
        timerBatches++;
        await sleep(1000);
      }
    };

    await Promise.all([intake(), act(), makeTimersDue()]);
    expect(failures).toEqual([]);

    await waitUntil(
      'the due timers and the outbox to drain',
      async () => {
        const [pending] = await sql<{ timers: number; messages: number }[]>`
          select
            (select count(*)::int from timers where status = 'pending' and due_at <= now()) as timers,
            (select count(*)::int from outbox where status = 'pending') as messages`;
        return pending?.timers === 0 && pending.messages === 0;
      },
      120_000,
      500,
    ).catch(async (error: unknown) => {
      const timers = await sql`
        select status, count(*)::int as rows, min(due_at) as due from timers group by status`;
      const outbox = await sql`
        select status, last_error, count(*)::int as rows from outbox group by 1, 2`;
      const logs = bots.map((bot) => errorLines(bot.stderr()).slice(0, 5));
      throw new Error(`${String(error)}: ${JSON.stringify({ timers, outbox, logs })}`);
    });

    const signalRows = await sql<{ external_id: string; case_id: string | null }[]>`
      select external_id, case_id from signals where source = 'webhook'`;
    expect(signalRows.length).toBe(accepted.size);
    expect(new Set(signalRows.map((row) => row.external_id))).toEqual(accepted);

    // Every fired timer has exactly one SLA audit event, and no SLA event lacks its timer.
    const timerCounts = await sql<{ key: string; fired: number }[]>`
      select case_id || ' ' || (case kind when 'escalate' then 'SLA_ESCALATE' else 'SLA_REMIND' end)
               || ' ' || state as key,
             count(*)::int as fired
      from timers where status = 'done' group by 1 order by 1`;
    const auditCounts = await sql<{ key: string; fired: number }[]>`
      select case_id || ' ' || type || ' ' || (data ->> 'state') as key, count(*)::int as fired
      from audit_events where type in ('SLA_REMIND', 'SLA_ESCALATE') group by 1 order by 1`;
    expect(timerCounts.length).toBeGreaterThan(0);
    expect(auditCounts).toEqual(timerCounts);

    const report = await collectDeliveries(database.url, fake);
    await sql.end();
    expect(report.statuses).toEqual({ sent: expect.any(Number) });
    for (const [channel, counts] of Object.entries(report.rootsPerChannel)) {
      expect({ channel, roots: counts.roots }).toEqual({ channel, roots: counts.threads });
    }
    for (const thread of report.threads) {
      expect({ thread: thread.threadId, sent: thread.observed }).toEqual({
        thread: thread.threadId,
        sent: thread.expected,
      });
    }
    for (const bot of bots) expect(errorLines(bot.stderr())).toEqual([]);

    const firedTimers = timerCounts.reduce((sum, row) => sum + row.fired, 0);
    const messages = report.statuses.sent ?? 0;
    console.info(
      `replicas load: ${loadSeconds} s, ${accepted.size} signals, ${actions} actions, ` +
        `${timerBatches} timer rounds, ${firedTimers} timers fired, ${messages} messages sent`,
    );
  });
});
