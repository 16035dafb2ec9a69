import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { showCase } from '../../src/cases/show-case.ts';
import type { ButtonEventType } from '../../src/chat/action-payload.ts';
import { inputIdOf } from '../../src/chat/teams/cards.ts';
import { loadConfig } from '../../src/config.ts';
import { buildServer } from '../../src/http/server.ts';
import { ingestFeed } from '../../src/intake/ingest-feed.ts';
import { syncDirectory } from '../../src/people/sync-directory.ts';
import { createRuntime, type Runtime } from '../../src/runtime.ts';
import { caseThreads } from '../../src/store/schema.ts';
import { people, repoRoot, silentLogger } from '../support/builders.ts';
import { FakeBotConnector } from '../support/fake-bot-connector.ts';
import { FakeSlackApi } from '../support/fake-slack-api.ts';
import { describeStores } from '../support/stores.ts';
import { settle, waitFor } from './slack/slack-harness.ts';
import {
  botToken,
  clickPayload,
  type Json,
  postInteraction,
  signingSecret,
  submissionPayload,
} from './slack/slack-payloads.ts';

const slackSecurity = 'C0SECURITY';
const teamsHr = '19:hrchannel0000000000000000000000@thread.tacv2';
const teamsLegal = '19:legalchannel00000000000000000000@thread.tacv2';
const teamsUsers = {
  hr: { id: '29:hana', aadObjectId: 'aad-hana', name: 'Hana Hr', email: people.hr },
  legal: { id: '29:leo', aadObjectId: 'aad-leo', name: 'Leo Legal', email: people.legal },
  legal2: { id: '29:lia', aadObjectId: 'aad-lia', name: 'Lia Legal', email: people.legal2 },
};
const invokeCorpus = JSON.parse(
  readFileSync(
    new URL('./teams/fixtures/invoke-adaptivecard-action-execute.json', import.meta.url),
    'utf8',
  ),
) as Json;

/** Security works the case in Slack while HR and Legal work it in Teams: one case, two platforms. */
describeStores('mixed slack and teams journey', (current) => {
  let slack: FakeSlackApi;
  let connector: FakeBotConnector;
  let runtime: Runtime;
  let server: FastifyInstance;
  let url: string;
  let sequence = 0;
  const db = () => current().store.db;

  const thread = (caseId: string, audience: string) =>
    waitFor(async () => {
      const rows = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
      const row = rows.find((candidate) => candidate.audience === audience);
      return row?.rootId == null ? undefined : row;
    });

  /** Sends the Adaptive Card `Action.Execute` invoke a Teams user's click produces. */
  async function teamsClick(
    user: (typeof teamsUsers)[keyof typeof teamsUsers],
    channel: string,
    rootId: string,
    event: string,
    caseId: string,
    audience: string,
    inputs: Record<string, string> = {},
  ) {
    const detail = await showCase(db(), caseId);
    const activity = structuredClone(invokeCorpus);
    activity.id = `f:mixed-${++sequence}`;
    activity.serviceUrl = connector.url;
    activity.from = { id: user.id, name: user.name, aadObjectId: user.aadObjectId };
    activity.conversation = { ...activity.conversation, id: `${channel};messageid=${rootId}` };
    const data: Json = { caseId, version: detail.version, expectedState: detail.state, audience };
    for (const [field, value] of Object.entries(inputs))
      data[inputIdOf(event as ButtonEventType, field)] = value;
    activity.value.action.verb = `case:${event}`;
    activity.value.action.data = data;
    const response = await fetch(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  }

  beforeAll(async () => {
    slack = await FakeSlackApi.start({ token: botToken });
    slack.users.set('U0ANN', { email: people.analyst });
    slack.members.set(slackSecurity, ['U0ANN']);
    connector = new FakeBotConnector();
    await connector.start();
    connector.members.set(teamsHr, [teamsUsers.hr]);
    connector.members.set(teamsLegal, [teamsUsers.legal, teamsUsers.legal2]);

    const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-mixed-'));
    const configPath = path.join(folder, 'casebridge.yaml');
    writeFileSync(
      configPath,
      [
        `directory: { file: ${JSON.stringify(path.join(repoRoot, 'examples', 'directory.yaml'))} }`,
        'roles:',
        `  security: [${people.analyst}]`,
        `  hr: [${people.hr}]`,
        `  legal: [${people.legal}, ${people.legal2}]`,
        'routing:',
        `  security: { slack: ${slackSecurity} }`,
        `  hr: { teams: "${teamsHr}" }`,
        `  legal: { teams: "${teamsLegal}" }`,
      ].join('\n'),
    );
    const config = loadConfig({
      CASEBRIDGE_CONFIG: configPath,
      HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.url,
      TEAMS_ALLOW_UNAUTHENTICATED: 'true',
      TEAMS_SERVICE_URL: connector.url,
    });
    await syncDirectory(db(), config);
    runtime = await createRuntime(
      { config, logger: silentLogger, store: current().store, close: async () => {} },
      { worker: { channelIntervalMs: 0, idleMs: 20 } },
    );
    server = await buildServer({
      config,
      store: current().store,
      logger: silentLogger,
      metrics: runtime.metrics,
      ingestFeed: (input) => ingestFeed(runtime.intake, input),
      slack: { receiver: runtime.slack!.receiver!, signingSecret },
      teams: { handle: runtime.teams!.adapter.handle },
    });
    url = await server.listen({ host: '127.0.0.1', port: 0 });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime.stop();
    await server.close();
    await slack.close();
    await connector.stop();
  });

  it('mirrors decisions between the platforms', async () => {
    const alert = {
      id: 'mixed-1',
      subject: { email: people.subject },
      observedAt: '2026-12-03T09:00:00Z',
      severity: 'critical',
      title: 'Source code archive uploaded to personal cloud',
    };
    await ingestFeed(runtime.intake, {
      feed: 'webhook',
      text: JSON.stringify(alert),
      atomic: true,
    });
    const caseId = (await db().select().from(caseThreads))[0]!.caseId;

    // Security escalates in Slack.
    const security = await thread(caseId, 'security');
    const card = slack.messages.get(`${slackSecurity}:${security.rootId}`)!;
    const button = (card.blocks as Json[])
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements as Json[])
      .find((element) => element.action_id === 'case:ESCALATE')!;
    await postInteraction(
      url,
      clickPayload({ userId: 'U0ANN', button, channel: slackSecurity, messageTs: card.ts }),
    );
    const modal = await waitFor(
      () => slack.callsTo('views.open')[0]?.body.view as Json | undefined,
    );
    await postInteraction(
      url,
      submissionPayload({
        userId: 'U0ANN',
        modal,
        answers: { summary: 'Archive of the monorepo uploaded' },
        viewId: 'V0MIXED1',
      }),
    );

    // HR decides in Teams, in the card the outbox posted to the HR channel.
    const hr = await thread(caseId, 'hr');
    expect(hr.platform).toBe('teams');
    const hrCard = [...connector.activities.values()].find((entry) => entry.id === hr.rootId)!;
    expect(JSON.stringify(hrCard)).toContain('Dana Lee');
    // The channel sees a read-only card; the one HR member's client fetches a view with buttons.
    const hrContent = (hrCard.activity.attachments as Json[])[0]!.content as Json;
    expect(hrContent.actions ?? []).toEqual([]);
    expect(hrContent.refresh.userIds).toEqual([teamsUsers.hr.id]);
    const refreshed = await teamsClick(teamsUsers.hr, teamsHr, hr.rootId!, 'refresh', caseId, 'hr');
    expect((refreshed.value.actions as Json[]).length).toBeGreaterThan(0);
    const chosen = await teamsClick(
      teamsUsers.hr,
      teamsHr,
      hr.rootId!,
      'CHOOSE_RESPONSE',
      caseId,
      'hr',
      {
        response: 'serious_action',
        proposedAction: 'termination',
      },
    );
    expect(chosen.type).toBe('application/vnd.microsoft.card.adaptive');
    expect((await showCase(db(), caseId)).state).toBe('legal_review');

    // Two lawyers approve in Teams; HR records the action there.
    const legal = await thread(caseId, 'legal');
    await teamsClick(teamsUsers.legal, teamsLegal, legal.rootId!, 'APPROVE', caseId, 'legal');
    await teamsClick(teamsUsers.legal2, teamsLegal, legal.rootId!, 'APPROVE', caseId, 'legal');
    expect((await showCase(db(), caseId)).state).toBe('action');
    await teamsClick(teamsUsers.hr, teamsHr, hr.rootId!, 'RECORD_ACTION', caseId, 'hr', {
      notes: 'Access revoked',
    });
    expect((await showCase(db(), caseId)).state).toBe('closed');

    // Every Teams decision shows in the Slack security thread, and Slack's shows in Teams.
    await waitFor(() =>
      [...slack.messages.values()].some(
        (message) =>
          message.threadTs === security.rootId &&
          (message.text ?? '').includes('recorded the action'),
      ),
    );
    await settle(slack);
    const slackReplies = [...slack.messages.values()]
      .filter((message) => message.threadTs === security.rootId)
      .map((message) => message.text);
    expect(slackReplies).toEqual([
      `${people.analyst} escalated this case to HR.`,
      `${people.hr} chose the response: Serious action (needs Legal approval).`,
      `${people.legal} approved the proposed action (1 of 2 approvals); a second Legal approver must approve.`,
      `${people.legal2} approved the proposed action.`,
      `${people.hr} recorded the action taken and closed this case.`,
    ]);
    const hrReplies = connector.calls.filter(
      (call) =>
        call.method === 'POST' &&
        call.path.includes(`${teamsHr};messageid=${hr.rootId}`) &&
        JSON.stringify(call.body).includes('approved'),
    );
    expect(hrReplies.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify([...slack.messages.values()])).not.toContain('Dana Lee');
    expect((await verifyAudit(db())).ok).toBe(true);
  });

  it('tells HR in Teams when the manager cannot be reached', async () => {
    connector.notInstalledFor.add(people.manager);
    const alert = {
      id: 'mixed-2',
      subject: { email: 'sam.ortiz@example.com' },
      observedAt: '2026-12-03T10:00:00Z',
      severity: 'high',
      title: 'Customer list e-mailed out',
    };
    await ingestFeed(runtime.intake, {
      feed: 'webhook',
      text: JSON.stringify(alert),
      atomic: true,
    });
    const caseId = (await showCase(db(), 'CB-0002')).id;
    await thread(caseId, 'security');
    const { actOnCase } = await import('../../src/cases/act-on-case.ts');
    const act = (actorEmail: string, event: Record<string, unknown> & { type: string }) =>
      actOnCase(
        { db: db(), logger: silentLogger, notifier: runtime.notifier },
        { caseRef: caseId, actorEmail, event },
      );
    await act(people.analyst, { type: 'ESCALATE', summary: 'Customer list sent out' });
    await act(people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });

    const hr = await thread(caseId, 'hr');
    await waitFor(() =>
      connector.calls.some(
        (call) =>
          call.path.includes(`${teamsHr};messageid=${hr.rootId}`) &&
          JSON.stringify(call.body).includes("could not send the manager's notice"),
      ),
    );
    const threads = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const manager = threads.filter((row) => row.audience === 'manager');
    expect(manager.map((row) => [row.platform, row.blockedReason])).toEqual([
      ['teams', 'manager_unreachable'],
    ]);
  });
});
