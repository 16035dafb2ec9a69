import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../../../src/audit/verify-audit.ts';
import { loadPseudonymKey, pseudonymFor } from '../../../src/cases/pseudonym.ts';
import { showCase } from '../../../src/cases/show-case.ts';
import { loadConfig } from '../../../src/config.ts';
import { buildServer } from '../../../src/http/server.ts';
import { ingestFeed } from '../../../src/intake/ingest-feed.ts';
import { createRuntime, type Runtime } from '../../../src/runtime.ts';
import { caseThreads } from '../../../src/store/schema.ts';
import { people, repoRoot, silentLogger } from '../../support/builders.ts';
import { FakeSlackApi, type FakeSlackMessage } from '../../support/fake-slack-api.ts';
import { describeStores } from '../../support/stores.ts';
import { settle, waitFor } from './slack-harness.ts';
import {
  botToken,
  clickPayload,
  type Json,
  postInteraction,
  signingSecret,
  submissionPayload,
} from './slack-payloads.ts';

const channels = { security: 'C0SECURITY', hr: 'C0HRTEAM', legal: 'C0LEGAL' };
const users = {
  analyst: { id: 'U0ANN', email: people.analyst },
  hr: { id: 'U0HANA', email: people.hr },
  legal: { id: 'U0LEO', email: people.legal },
  legal2: { id: 'U0LIA', email: people.legal2 },
  manager: { id: 'U0MARIA', email: people.manager },
  subject: { id: 'U0DANA', email: people.subject },
  sam: { id: 'U0SAM', email: 'sam.ortiz@example.com' },
};

/** The journey of a case through Slack as a deployment runs it: runtime, outbox worker, our server, real Bolt. */
describeStores('slack journey', (current) => {
  let fake: FakeSlackApi;
  let runtime: Runtime;
  let server: FastifyInstance;
  let url: string;

  const db = () => current().store.db;
  let forms = 0;
  const channelMessages = (channel: string) =>
    [...fake.messages.values()].filter((message) => message.channel === channel);

  async function threadRoot(caseId: string, audience: string): Promise<FakeSlackMessage> {
    return waitFor(async () => {
      const [thread] = await db()
        .select()
        .from(caseThreads)
        .where(eq(caseThreads.caseId, caseId))
        .then((rows) => rows.filter((row) => row.audience === audience));
      if (thread?.rootId == null || thread.channel === null) return undefined;
      return fake.messages.get(`${thread.channel}:${thread.rootId}`);
    });
  }

  /** Clicks a card's button as a user, and fills its form when the button opens one. */
  async function press(
    card: FakeSlackMessage,
    userId: string,
    event: string,
    answers?: Record<string, string | null>,
  ) {
    // The card shows the button once the outbox has delivered the update for the new state.
    const button = await waitFor(() =>
      (fake.messages.get(`${card.channel}:${card.ts}`)!.blocks as Json[])
        .filter((block) => block.type === 'actions')
        .flatMap((block) => block.elements as Json[])
        .find((element) => element.action_id === `case:${event}`),
    );
    const formsBefore = fake.callsTo('views.open').length;
    const click = await postInteraction(
      url,
      clickPayload({ userId, button: button!, channel: card.channel, messageTs: card.ts }),
    );
    expect(click.status).toBe(200);
    if (answers === undefined) return;

    const modal = await waitFor(
      () => fake.callsTo('views.open')[formsBefore]?.body.view as Json | undefined,
    );
    // Slack gives every opened modal its own view id, which the bot uses to spot retried submissions.
    const viewId = `V0FORM${++forms}`;
    const submitted = await postInteraction(
      url,
      submissionPayload({ userId, modal, answers, viewId }),
    );
    expect(submitted.status).toBe(200);
    const text = await submitted.text();
    expect(text === '' ? {} : JSON.parse(text)).not.toHaveProperty('response_action', 'errors');
  }

  const stateOf = async (caseId: string) => (await showCase(db(), caseId)).state;

  beforeAll(async () => {
    fake = await FakeSlackApi.start({ token: botToken });
    for (const user of Object.values(users)) fake.users.set(user.id, { email: user.email });
    fake.members.set(channels.security, [users.analyst.id]);
    fake.members.set(channels.hr, [users.hr.id]);
    fake.members.set(channels.legal, [users.legal.id, users.legal2.id]);

    const folder = mkdtempSync(path.join(tmpdir(), 'casebridge-journey-'));
    const configPath = path.join(folder, 'casebridge.yaml');
    writeFileSync(
      configPath,
      [
        `directory: { file: ${JSON.stringify(path.join(repoRoot, 'examples', 'directory.yaml'))} }`,
        'roles:',
        `  security: [${people.analyst}, ${people.analyst2}]`,
        `  hr: [${people.hr}, ${people.hr2}]`,
        `  legal: [${people.legal}, ${people.legal2}]`,
        'routing:',
        `  security: { slack: ${channels.security} }`,
        `  hr: { slack: ${channels.hr} }`,
        `  legal: { slack: ${channels.legal} }`,
      ].join('\n'),
    );
    const config = loadConfig({
      CASEBRIDGE_CONFIG: configPath,
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: fake.url,
    });
    const { syncDirectory } = await import('../../../src/people/sync-directory.ts');
    await syncDirectory(db(), config);

    const deps = { config, logger: silentLogger, store: current().store, close: async () => {} };
    runtime = await createRuntime(deps, { worker: { channelIntervalMs: 0, idleMs: 20 } });
    server = await buildServer({
      config,
      store: current().store,
      logger: silentLogger,
      metrics: runtime.metrics,
      ingestFeed: (input) => ingestFeed(runtime.intake, input),
      slack: { receiver: runtime.slack!.receiver!, signingSecret },
    });
    url = await server.listen({ host: '127.0.0.1', port: 0 });
    await runtime.start();
  });

  afterAll(async () => {
    await runtime.stop();
    await server.close();
    await fake.close();
  });

  it('runs a serious action from alert to closed', async () => {
    const alert = {
      id: 'journey-1',
      subject: { email: people.subject },
      observedAt: '2026-12-01T08:30:00Z',
      severity: 'critical',
      title: 'Source code synced to personal Dropbox',
      indicators: ['personal-cloud'],
    };
    const summary = await ingestFeed(runtime.intake, {
      feed: 'webhook',
      text: JSON.stringify(alert),
      atomic: true,
    });
    expect(summary.created).toBe(1);
    const caseId = (await db().select().from(caseThreads))[0]!.caseId;

    const securityCard = await threadRoot(caseId, 'security');
    const pseudonym = pseudonymFor(
      await loadPseudonymKey(db()),
      (await showCase(db(), caseId, { revealIdentity: true })).subject.identity!.key,
    );
    expect(JSON.stringify(securityCard.blocks)).toContain(pseudonym);
    expect(JSON.stringify(securityCard.blocks)).toContain('Source code synced to personal Dropbox');

    await press(securityCard, users.analyst.id, 'ESCALATE', {
      summary: 'Source code copied before departure',
    });
    const hrCard = await threadRoot(caseId, 'hr');
    expect(JSON.stringify(hrCard.blocks)).toContain('Dana Lee');

    await press(hrCard, users.hr.id, 'CHOOSE_RESPONSE', {
      response: 'serious_action',
      proposedAction: 'termination',
      reason: null,
    });
    const legalCard = await threadRoot(caseId, 'legal');
    expect(await stateOf(caseId)).toBe('legal_review');

    await press(legalCard, users.legal.id, 'APPROVE', { reason: null });
    await waitFor(
      async () =>
        (await showCase(db(), caseId)).events.filter((event) => event.type === 'APPROVE').length ===
        1,
    );
    expect(await stateOf(caseId)).toBe('legal_review');
    await press(legalCard, users.legal2.id, 'APPROVE', { reason: null });
    await waitFor(async () => (await stateOf(caseId)) === 'action');

    await press(hrCard, users.hr.id, 'RECORD_ACTION', {
      notes: 'Access revoked; employment ended',
    });
    await waitFor(async () => (await stateOf(caseId)) === 'closed');
    await settle(fake);

    const securityReplies = channelMessages(channels.security)
      .filter((message) => message.threadTs === securityCard.ts)
      .map((message) => message.text);
    expect(securityReplies).toEqual([
      `${people.analyst} escalated this case to HR.`,
      `${people.hr} chose the response: Serious action (needs Legal approval).`,
      `${people.legal} approved the proposed action (1 of 2 approvals); a second Legal approver must approve.`,
      `${people.legal2} approved the proposed action.`,
      `${people.hr} recorded the action taken and closed this case.`,
    ]);
    const legalReplies = channelMessages(channels.legal)
      .filter((message) => message.threadTs === legalCard.ts)
      .map((message) => message.text);
    expect(legalReplies).toEqual([
      `${people.legal} approved Termination (1 of 2 approvals); a second Legal approver must approve.`,
      `${people.legal2} approved Termination.`,
      `${people.hr} recorded the action taken and closed this case.`,
    ]);
    for (const channel of Object.values(channels)) {
      expect(channelMessages(channel).filter((message) => message.threadTs === null)).toHaveLength(
        1,
      );
    }
    const securityText = JSON.stringify(channelMessages(channels.security));
    expect(securityText).not.toContain('Dana Lee');
    expect(securityText).not.toContain(people.subject);
    const finalCard = fake.messages.get(`${channels.security}:${securityCard.ts}`)!;
    const finalButtons = (finalCard.blocks as Json[])
      .filter((block) => block.type === 'actions')
      .flatMap((block) => (block.elements as Json[]).map((element) => element.action_id));
    expect(finalButtons).toEqual(['case:REOPEN']);
    expect(JSON.stringify(finalCard.blocks)).toContain('Serious action taken');
    expect(fake.callsTo('conversations.open')).toHaveLength(0);
    expect((await verifyAudit(db())).ok).toBe(true);
  });

  it('takes a manager acknowledgement from a direct message', async () => {
    const alert = {
      id: 'journey-2',
      subject: { email: 'sam.ortiz@example.com' },
      observedAt: '2026-12-02T10:00:00Z',
      severity: 'high',
      title: 'Customer list e-mailed to a personal address',
      indicators: ['personal-email'],
    };
    await ingestFeed(runtime.intake, {
      feed: 'webhook',
      text: JSON.stringify(alert),
      atomic: true,
    });
    const detail = (await showCase(db(), 'CB-0002')).id;
    const securityCard = await threadRoot(detail, 'security');
    await press(securityCard, users.analyst.id, 'ESCALATE', {
      summary: 'Customer list sent to personal mail',
    });
    const hrCard = await threadRoot(detail, 'hr');
    await press(hrCard, users.hr.id, 'CHOOSE_RESPONSE', {
      response: 'involve_manager',
      proposedAction: null,
      reason: null,
    });

    const notice = await threadRoot(detail, 'manager');
    const noticeText = JSON.stringify(notice.blocks);
    expect(noticeText).toContain('Sam Ortiz');
    expect(noticeText).not.toContain('Customer list');
    expect(noticeText).not.toContain('personal-email');
    expect(noticeText).not.toContain('Customer list sent to personal mail');

    await press(notice, users.manager.id, 'ACKNOWLEDGE');
    await waitFor(async () => (await stateOf(detail)) === 'follow_up');
    await settle(fake);
    const hrReplies = channelMessages(channels.hr)
      .filter((message) => message.threadTs === hrCard.ts)
      .map((message) => message.text);
    expect(hrReplies.at(-1)).toBe("The subject's manager acknowledged the notice.");
  });
});
