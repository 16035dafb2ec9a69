import { and, eq, like } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { type ActOnCaseInput, actOnCase } from '../../src/cases/act-on-case.ts';
import { createSlackClient, SlackChatPort } from '../../src/chat/slack/slack-port.ts';
import { TeamsChatPort } from '../../src/chat/teams/teams-port.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { calendarDay, sendDailyDigests } from '../../src/jobs/daily-digest.ts';
import { cases, inboundReceipts, timers } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { FakeBotConnector } from '../support/fake-bot-connector.ts';
import { FakeSlackApi } from '../support/fake-slack-api.ts';
import { describeStores } from '../support/stores.ts';

const HOUR_MS = 3_600_000;
const openedAt = new Date('2026-12-01T09:00:00Z');
const hoursAfterOpening = (hours: number) => new Date(openedAt.getTime() + hours * HOUR_MS);
// SLA timers count business hours, so 73 wall-clock hours after opening no escalation is due yet.
const firstRun = hoursAfterOpening(73);

const token = 'xoxb-digest-test';
const tenantId = '0d9b645f-597b-41f0-a2a3-ef103fbd91bb';
const teamsSecurity = '19:6decf54d86d945e4b3924b63a9161a78@thread.skype';
// HR and Legal share one Slack channel, so that channel gets two digests.
const routing = {
  security: { slack: 'CSECURITY1', teams: teamsSecurity },
  hr: { slack: 'CCASEWORK1' },
  legal: { slack: 'CCASEWORK1' },
};

const subjectNames = ['Dana Lee', 'Sam Ortiz', 'Lee Chen', 'Outside Person'];

describeStores('daily digest', (current) => {
  const db = () => current().store.db;
  const keys: Record<'dana' | 'sam' | 'lee' | 'outside' | 'dismissed', string> = {
    dana: '',
    sam: '',
    lee: '',
    outside: '',
    dismissed: '',
  };
  let slack: FakeSlackApi;
  let connector: FakeBotConnector;

  const send = (now: Date, timeZone?: string) =>
    sendDailyDigests({
      db: db(),
      logger: silentLogger,
      ports: {
        slack: new SlackChatPort(
          createSlackClient({ token, slackApiUrl: slack.url, logger: silentLogger }),
        ),
        teams: new TeamsChatPort({ serviceUrl: connector.url, http: {}, tenantId }),
      },
      routing,
      now: () => now,
      ...(timeZone === undefined ? {} : { timeZone }),
    });

  const slackPosts = () =>
    slack.callsTo('chat.postMessage').map((call) => ({
      channel: call.body.channel,
      text: call.body.text,
      threadTs: call.body.thread_ts,
    }));
  const teamsPosts = () =>
    connector.callsTo('POST', '/v3/conversations').map((call) => {
      const body = call.body as {
        channelData: { channel: { id: string } };
        activity: { text: string };
      };
      return { channel: body.channelData.channel.id, text: body.activity.text };
    });

  beforeAll(async () => {
    await seedExampleDirectory(db());
    const outside = {
      email: 'outside.person@example.com',
      externalIds: [],
      displayName: 'Outside Person',
    };
    const dismissed = { email: 'dismissed.person@example.com', externalIds: [], displayName: null };
    const batch = [
      makeSignal({
        subject: { email: 'dana.lee@example.com', externalIds: [], displayName: null },
      }),
      makeSignal({
        subject: { email: 'sam.ortiz@example.com', externalIds: [], displayName: null },
      }),
      makeSignal({
        subject: { email: 'lee.chen@example.com', externalIds: [], displayName: null },
      }),
      makeSignal({ subject: outside, severity: 'high' }),
      makeSignal({ subject: dismissed }),
    ];
    await db().transaction((tx) => ingestBatch(tx, batch, { reopenWindowHours: 0, now: openedAt }));
    const rows = await db().select({ key: cases.key, email: cases.subjectEmail }).from(cases);
    const keyOf = (email: string) => rows.find((row) => row.email === email)?.key ?? '';
    keys.dana = keyOf('dana.lee@example.com');
    keys.sam = keyOf('sam.ortiz@example.com');
    keys.lee = keyOf('lee.chen@example.com');
    keys.outside = keyOf(outside.email);
    keys.dismissed = keyOf(dismissed.email);

    const act = (
      hours: number,
      caseRef: string,
      actorEmail: string,
      event: ActOnCaseInput['event'],
    ) =>
      actOnCase(
        { db: db(), logger: silentLogger, now: () => hoursAfterOpening(hours) },
        { caseRef, actorEmail, event },
      );
    await act(1, keys.sam, people.analyst, { type: 'ESCALATE', summary: 'USB copy' });
    await act(1, keys.lee, people.analyst, { type: 'ESCALATE', summary: 'USB copy' });
    await act(2, keys.lee, people.hr, {
      type: 'CHOOSE_RESPONSE',
      response: 'serious_action',
      proposedAction: 'written_warning',
    });
    await act(3, keys.dismissed, people.analyst, {
      type: 'DISMISS',
      outcome: 'false_positive',
      reason: 'Approved backup',
    });
  });

  beforeEach(async () => {
    await db().delete(inboundReceipts).where(like(inboundReceipts.key, 'digest:%'));
    slack = await FakeSlackApi.start({ token });
    connector = new FakeBotConnector();
    await connector.start();
  });

  afterEach(async () => {
    await slack.close();
    await connector.stop();
  });

  it('posts one digest per routed role channel', async () => {
    const result = await send(firstRun);

    expect(result).toEqual({ posted: 4, skipped: 0, failed: 0 });
    // Both triage cases entered the state together, so the digest lists them by key.
    const securityText = [
      'Waiting on Security: 2 cases',
      ...[
        `${keys.dana} · Triage · Medium · waiting for 3 days`,
        `${keys.outside} · Triage · High · waiting for 3 days`,
      ].sort(),
    ].join('\n');
    expect(slackPosts()).toEqual([
      { channel: 'CSECURITY1', text: securityText, threadTs: undefined },
      {
        channel: 'CCASEWORK1',
        text: [
          'Waiting on HR: 1 case',
          `${keys.sam} · HR review · Medium · waiting for 3 days`,
        ].join('\n'),
        threadTs: undefined,
      },
      {
        channel: 'CCASEWORK1',
        text: [
          'Waiting on Legal: 1 case',
          `${keys.lee} · Legal review · Medium · waiting for 2 days`,
        ].join('\n'),
        threadTs: undefined,
      },
    ]);
    expect(teamsPosts()).toEqual([{ channel: teamsSecurity, text: securityText }]);
  });

  it('names no subject', async () => {
    await send(firstRun);

    const texts = [...slackPosts(), ...teamsPosts()].map((post) => String(post.text));
    expect(texts).toHaveLength(4);
    for (const text of texts) {
      for (const name of subjectNames) expect(text).not.toContain(name);
      expect(text).not.toContain('@example.com');
      expect(text).not.toContain(keys.dismissed);
    }
  });

  it('posts nothing again the same day', async () => {
    await send(firstRun);
    const second = await send(hoursAfterOpening(80));

    expect(second).toEqual({ posted: 0, skipped: 4, failed: 0 });
    expect(slackPosts()).toHaveLength(3);
    expect(teamsPosts()).toHaveLength(1);
  });

  it('posts again the next day', async () => {
    await send(firstRun);
    const nextDay = await send(hoursAfterOpening(97));

    expect(nextDay).toEqual({ posted: 4, skipped: 0, failed: 0 });
    expect(slackPosts()).toHaveLength(6);
    expect(teamsPosts()).toHaveLength(2);
    expect(slackPosts()[3]?.text).toBe(
      [
        'Waiting on Security: 2 cases',
        ...[
          `${keys.dana} · Triage · Medium · waiting for 4 days`,
          `${keys.outside} · Triage · High · waiting for 4 days`,
        ].sort(),
      ].join('\n'),
    );
  });

  it('marks overdue once escalation is due', async () => {
    const [danaCase] = await db()
      .select({ id: cases.id })
      .from(cases)
      .where(eq(cases.key, keys.dana));
    const [timer] = await db()
      .select({ dueAt: timers.dueAt })
      .from(timers)
      .where(
        and(
          eq(timers.caseId, danaCase!.id),
          eq(timers.kind, 'escalate'),
          eq(timers.state, 'triage'),
        ),
      );
    const dueAt = timer!.dueAt;

    await send(dueAt);

    const days = Math.floor((dueAt.getTime() - openedAt.getTime()) / (24 * HOUR_MS));
    const [security] = slackPosts();
    expect(security?.text).toBe(
      [
        'Waiting on Security: 2 cases',
        ...[
          `${keys.dana} · Triage · Medium · waiting for ${days} days · overdue`,
          `${keys.outside} · Triage · High · waiting for ${days} days · overdue`,
        ].sort(),
      ].join('\n'),
    );
  });

  it('records one receipt per post', async () => {
    await send(firstRun);

    const rows = await db()
      .select({ key: inboundReceipts.key })
      .from(inboundReceipts)
      .where(like(inboundReceipts.key, 'digest:%'));
    expect(rows.map((row) => row.key).sort()).toEqual([
      'digest:slack:CCASEWORK1:hr:2026-12-04',
      'digest:slack:CCASEWORK1:legal:2026-12-04',
      'digest:slack:CSECURITY1:security:2026-12-04',
      `digest:teams:${teamsSecurity}:security:2026-12-04`,
    ]);
  });

  it('retries a failed post on the next run', async () => {
    slack.failNext('chat.postMessage', 1, { status: 500 });

    const first = await send(firstRun);
    const retry = await send(hoursAfterOpening(74));

    expect(first).toEqual({ posted: 3, skipped: 0, failed: 1 });
    expect(retry).toEqual({ posted: 1, skipped: 3, failed: 0 });
    const [receipt] = await db()
      .select()
      .from(inboundReceipts)
      .where(eq(inboundReceipts.key, 'digest:slack:CSECURITY1:security:2026-12-04'));
    expect(receipt?.key).toBe('digest:slack:CSECURITY1:security:2026-12-04');
  });

  it('names the day in the time zone', async () => {
    // 2026-12-04T23:30Z is already 2026-12-05 in Berlin.
    const late = new Date('2026-12-04T23:30:00Z');

    expect(calendarDay(late, 'UTC')).toBe('2026-12-04');
    expect(calendarDay(late, 'Europe/Berlin')).toBe('2026-12-05');
    await send(late, 'Europe/Berlin');
    const rows = await db()
      .select({ key: inboundReceipts.key })
      .from(inboundReceipts)
      .where(like(inboundReceipts.key, 'digest:slack:CSECURITY1:%'));
    expect(rows.map((row) => row.key)).toEqual(['digest:slack:CSECURITY1:security:2026-12-05']);
  });
});
