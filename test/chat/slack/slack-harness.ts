import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, ne } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { actOnCase } from '../../../src/cases/act-on-case.ts';
import { loadPseudonymKey } from '../../../src/cases/pseudonym.ts';
import type { Audience } from '../../../src/chat/actions.ts';
import { loadCaseView } from '../../../src/chat/load-case-view.ts';
import { createSlackApp, type SlackApp } from '../../../src/chat/slack/app.ts';
import { renderCaseMessage } from '../../../src/chat/slack/blocks.ts';
import { loadConfig } from '../../../src/config.ts';
import { createMetrics } from '../../../src/http/metrics.ts';
import { buildServer } from '../../../src/http/server.ts';
import { ingestBatch } from '../../../src/intake/ingest-batch.ts';
import { createLogger } from '../../../src/log.ts';
import type { Store } from '../../../src/store/db.ts';
import { cases } from '../../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory } from '../../support/builders.ts';
import { FakeSlackApi } from '../../support/fake-slack-api.ts';
import { botToken, type Json, postCommand, signingSecret, slackUsers } from './slack-payloads.ts';

/** A local stand-in for the `response_url` of slash commands: it records each JSON body posted. */
export class ResponseUrlSink {
  readonly bodies: Json[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ResponseUrlSink> {
    let sink: ResponseUrlSink | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        sink!.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    sink = new ResponseUrlSink(server, `http://127.0.0.1:${port}/commands/T111/1/response`);
    return sink;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a value other than undefined or false, or fails after `ms`. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits until the fake has received no call for `quietMs`, so that late effects would be visible. */
export async function settle(fake: FakeSlackApi, quietMs = 250): Promise<void> {
  let seen = -1;
  while (seen !== fake.calls.length) {
    seen = fake.calls.length;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
}

export interface SlackHarness {
  fake: FakeSlackApi;
  sink: ResponseUrlSink;
  server: FastifyInstance;
  url: string;
  slack: SlackApp;
  pseudonymKey: Buffer;
  /** Makes every decision wait until the returned function is called, to observe the acknowledgement. */
  holdDecisions(): () => void;
  logText(): string;
  close(): Promise<void>;
}

/**
 * Starts the fake Slack Web API, the Slack app with the real `actOnCase`, and our HTTP server with
 * the Slack route on 127.0.0.1, over `store` with the example directory.
 */
export async function startSlackHarness(store: Store): Promise<SlackHarness> {
  await seedExampleDirectory(store.db);
  const fake = await FakeSlackApi.start({ token: botToken });
  for (const user of Object.values(slackUsers)) fake.users.set(user.id, { email: user.email });
  const sink = await ResponseUrlSink.start();

  const rawLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void rawLines.push(line) },
  });
  const env = {
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: fake.url,
  };
  const config = loadConfig(env, mkdtempSync(path.join(tmpdir(), 'casebridge-slack-')));
  const pseudonymKey = await loadPseudonymKey(store.db);
  let gate: Promise<void> = Promise.resolve();
  const slack = createSlackApp({
    env: config.env,
    db: store.db,
    logger,
    pseudonymKey,
    act: async (input) => {
      await gate;
      return actOnCase({ db: store.db, logger }, input);
    },
  });
  await slack.start();

  const server = await buildServer({
    config,
    store,
    logger,
    metrics: createMetrics(),
    ingestFeed: async () => ({ created: 0, grouped: 0, duplicates: 0, rejected: [] }),
    slack: { signingSecret: slack.signingSecret!, receiver: slack.receiver! },
  });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });

  return {
    fake,
    sink,
    server,
    url,
    slack,
    pseudonymKey,
    holdDecisions() {
      let release = () => {};
      gate = new Promise((resolve) => {
        release = resolve;
      });
      return release;
    },
    logText: () => rawLines.join(''),
    async close() {
      await server.close();
      await slack.stop();
      await sink.close();
      await fake.close();
    },
  };
}

export * from './slack-payloads.ts';

/**
 * Runs `/case <text>` as a Slack user through the harness's HTTP server and checks the 200
 * status. Returns the acknowledgement body and the reply the command posted to its response_url.
 */
export async function runCommand(
  harness: SlackHarness,
  userId: string,
  text: string,
): Promise<{ acknowledgement: string; reply: Json }> {
  const before = harness.sink.bodies.length;
  const response = await postCommand(harness.url, {
    userId,
    text,
    responseUrl: harness.sink.url,
  });
  expect(response.status).toBe(200);
  const acknowledgement = await response.text();

  const reply = await waitFor(() => harness.sink.bodies[before]);
  return { acknowledgement, reply };
}

/** Returns the button of a case card as rendered for an audience now. */
export async function cardButton(
  harness: SlackHarness,
  store: Store,
  caseRef: string,
  audience: Audience,
  event: string,
): Promise<Json> {
  const view = await loadCaseView(store.db, harness.pseudonymKey, caseRef, audience, 'en');
  const blocks = renderCaseMessage(view).blocks as Json[];
  const button = blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements as Json[])
    .find((element) => element.action_id === `case:${event}`);
  if (button === undefined) throw new Error(`no ${event} button for ${audience} on ${caseRef}`);
  return button;
}

/** Opens a new case for a subject, closing the subject's open case first. */
export async function openCase(
  store: Store,
  subjectEmail: string,
): Promise<{ id: string; key: string }> {
  const [open] = await store.db
    .select()
    .from(cases)
    .where(and(eq(cases.subjectEmail, subjectEmail), ne(cases.state, 'closed')));
  if (open !== undefined) await closeCase(store, open.key, open.state);

  const [result] = await store.db.transaction((tx) =>
    ingestBatch(
      tx,
      [makeSignal({ subject: { email: subjectEmail, externalIds: [], displayName: null } })],
      { reopenWindowHours: 0, now: new Date() },
    ),
  );
  const [row] = await store.db.select().from(cases).where(eq(cases.id, result!.caseId!));
  return { id: row!.id, key: row!.key };
}

const quietLogger = createLogger({ level: 'silent' });

/** Sends a decision as a person, outside Slack, to set up a case. */
export function decide(
  store: Store,
  key: string,
  actorEmail: string,
  event: Record<string, unknown> & { type: string },
) {
  return actOnCase({ db: store.db, logger: quietLogger }, { caseRef: key, actorEmail, event });
}

/** Moves a case to the manager's notice: escalated by security, HR involves the manager. */
export async function toManagerNotice(store: Store, key: string): Promise<void> {
  await decide(store, key, people.analyst, { type: 'ESCALATE', summary: 'Files copied to USB.' });
  await decide(store, key, people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });
}

async function closeCase(store: Store, key: string, state: string): Promise<void> {
  const steps: Record<string, Array<[string, Record<string, unknown> & { type: string }]>> = {
    triage: [[people.analyst, { type: 'DISMISS', outcome: 'benign', reason: 'Test cleanup.' }]],
    hr_review: [
      [people.hr, { type: 'CHOOSE_RESPONSE', response: 'corrective_conversation' }],
      [people.hr, { type: 'RECORD_CONVERSATION', notes: 'Test cleanup.' }],
    ],
    conversation: [[people.hr, { type: 'RECORD_CONVERSATION', notes: 'Test cleanup.' }]],
    manager_notice: [
      [people.manager, { type: 'ACKNOWLEDGE' }],
      [people.hr, { type: 'CLOSE', outcome: 'resolved' }],
    ],
    follow_up: [[people.hr, { type: 'CLOSE', outcome: 'resolved' }]],
  };
  const plan = steps[state];
  if (plan === undefined) throw new Error(`the test cannot close a case in ${state}`);
  for (const [actor, event] of plan) await decide(store, key, actor, event);
}
