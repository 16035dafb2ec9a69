import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnCase } from '../../../src/cases/act-on-case.ts';
import { loadPseudonymKey } from '../../../src/cases/pseudonym.ts';
import { showCase } from '../../../src/cases/show-case.ts';
import { createTeamsApp, teamsCredentials } from '../../../src/chat/teams/app.ts';
import { inputIdOf } from '../../../src/chat/teams/cards.ts';
import { loadConfig } from '../../../src/config.ts';
import { isCasebridgeError } from '../../../src/errors.ts';
import { createMetrics } from '../../../src/http/metrics.ts';
import { teamsRoute } from '../../../src/http/routes/teams.ts';
import { buildServer } from '../../../src/http/server.ts';
import type { Store } from '../../../src/store/db.ts';
import { auditEvents, inboundReceipts } from '../../../src/store/schema.ts';
import { people, seedExampleDirectory, silentLogger } from '../../support/builders.ts';
import { FakeBotConnector } from '../../support/fake-bot-connector.ts';
import { describeStores } from '../../support/stores.ts';
import { openCase } from '../slack/slack-harness.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests build and read untyped activity JSON.
type Json = Record<string, any>;

const corpus = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

const channel = '19:6decf54d86d945e4b3924b63a9161a78@thread.skype';

/** Teams users of the tests: `29:` id, Entra object id, and the directory e-mail. */
const teamsUsers = {
  analyst: { id: '29:analyst', aadObjectId: 'aad-analyst', email: people.analyst },
  hr: { id: '29:hr', aadObjectId: 'aad-hr', email: people.hr },
  stranger: { id: '29:stranger', aadObjectId: 'aad-stranger', email: 'nobody@example.com' },
};

let sequence = 0;

/** Builds the corpus `adaptiveCard/action` invoke with another user, verb and data. */
function invoke(
  serviceUrl: string,
  user: (typeof teamsUsers)[keyof typeof teamsUsers],
  verb: string,
  data: Json,
): Json {
  const activity = corpus('invoke-adaptivecard-action-execute.json');
  sequence++;
  activity.id = `f:test-${sequence}`;
  activity.serviceUrl = serviceUrl;
  activity.from = { id: user.id, name: 'Test User', aadObjectId: user.aadObjectId };
  activity.value.action.verb = verb;
  activity.value.action.data = data;
  return activity;
}

async function startServer(store: Store, connector: FakeBotConnector) {
  const config = loadConfig({}, mkdtempSync(path.join(tmpdir(), 'casebridge-teams-')));
  const pseudonymKey = await loadPseudonymKey(store.db);
  const teams = createTeamsApp({
    env: { HOST: '127.0.0.1', TEAMS_ALLOW_UNAUTHENTICATED: 'true' },
    db: store.db,
    logger: silentLogger,
    pseudonymKey,
    act: (input) => actOnCase({ db: store.db, logger: silentLogger }, input),
    serviceUrl: connector.url,
  });
  await teams.start();

  const server = await buildServer({
    config,
    store,
    logger: silentLogger,
    metrics: createMetrics(),
    ingestFeed: async () => ({ created: 0, grouped: 0, duplicates: 0, rejected: [] }),
  });
  await server.register(teamsRoute, { handle: teams.adapter.handle });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return { server, url };
}

async function post(url: string, body: Json, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? null : (JSON.parse(text) as Json) };
}

function cardTexts(card: Json): string {
  return JSON.stringify(card);
}

describeStores('teams card actions', (current) => {
  let connector: FakeBotConnector;
  let server: FastifyInstance;
  let url: string;
  const store = () => current().store;

  beforeAll(async () => {
    await seedExampleDirectory(store().db);
    connector = new FakeBotConnector();
    await connector.start();
    connector.members.set(
      channel,
      Object.values(teamsUsers).map((user) => ({ ...user, name: user.email })),
    );
    ({ server, url } = await startServer(store(), connector));
  });

  afterAll(async () => {
    await server?.close();
    await connector?.stop();
  });

  it('escalates and answers the new card', async () => {
    const opened = await openCase(store(), people.subject);
    const data = {
      caseId: opened.id,
      version: (await showCase(store().db, opened.key)).version,
      expectedState: 'triage',
      audience: 'security',
      [inputIdOf('ESCALATE', 'summary')]: 'Copied source code to a personal Dropbox.',
    };

    const response = await post(
      url,
      invoke(connector.url, teamsUsers.analyst, 'case:ESCALATE', data),
    );

    expect(response.status).toBe(200);
    expect(response.body?.statusCode).toBe(200);
    expect(response.body?.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(response.body?.value.type).toBe('AdaptiveCard');
    expect(cardTexts(response.body?.value)).toContain('HR review');
    expect((await showCase(store().db, opened.key)).state).toBe('hr_review');
    const lookups = connector.callsTo(
      'GET',
      `/v3/conversations/${channel};messageid=1611060744833/members/29:analyst`,
    );
    expect(lookups.length).toBeGreaterThan(0);
  });

  it('refuses a stale card with the decider', async () => {
    const opened = await openCase(store(), people.subject);
    const version = (await showCase(store().db, opened.key)).version;
    await actOnCase(
      { db: store().db, logger: silentLogger },
      {
        caseRef: opened.key,
        actorEmail: people.analyst2,
        event: { type: 'ESCALATE', summary: 'First.' },
      },
    );
    const data = {
      caseId: opened.id,
      version,
      expectedState: 'triage',
      audience: 'security',
      [inputIdOf('DISMISS', 'outcome')]: 'benign',
      [inputIdOf('DISMISS', 'reason')]: 'Approved backup.',
    };

    const response = await post(
      url,
      invoke(connector.url, teamsUsers.analyst, 'case:DISMISS', data),
    );

    expect(response.status).toBe(200);
    expect(response.body?.type).toBe('application/vnd.microsoft.card.adaptive');
    const banner = response.body?.value.body[1].text as string;
    expect(banner).toContain(people.analyst2);
    expect((await showCase(store().db, opened.key)).state).toBe('hr_review');
  });

  it('refuses the wrong role', async () => {
    const opened = await openCase(store(), people.subject);
    const data = {
      caseId: opened.id,
      version: (await showCase(store().db, opened.key)).version,
      expectedState: 'triage',
      audience: 'security',
      [inputIdOf('ESCALATE', 'summary')]: 'HR should not be able to do this.',
    };

    const response = await post(url, invoke(connector.url, teamsUsers.hr, 'case:ESCALATE', data));

    expect(response.status).toBe(200);
    const card = response.body?.value;
    expect(card.body[1].text).toMatch(/security/i);
    expect(card.actions ?? []).toEqual([]);
    expect((await showCase(store().db, opened.key)).state).toBe('triage');
  });

  it('refuses a user outside the directory', async () => {
    const opened = await openCase(store(), people.subject);
    const data = { caseId: opened.id, version: 1, expectedState: 'triage', audience: 'security' };

    const response = await post(
      url,
      invoke(connector.url, teamsUsers.stranger, 'case:ASSIGN', data),
    );

    expect(response.status).toBe(200);
    expect(response.body?.value.body).toHaveLength(1);
    expect(response.body?.value.body[0].text).toContain('nobody@example.com');
  });

  it('applies a redelivered activity once', async () => {
    const opened = await openCase(store(), people.subject);
    const data = {
      caseId: opened.id,
      version: (await showCase(store().db, opened.key)).version,
      expectedState: 'triage',
      audience: 'security',
      [inputIdOf('ESCALATE', 'summary')]: 'Sent twice by Teams.',
    };
    const activity = invoke(connector.url, teamsUsers.analyst, 'case:ESCALATE', data);
    const auditCount = async () =>
      (await store().db.select({ n: count() }).from(auditEvents))[0]!.n;

    const first = await post(url, activity);
    const afterFirst = await auditCount();
    const second = await post(url, activity);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body?.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardTexts(second.body?.value)).toContain('HR review');
    expect(await auditCount()).toBe(afterFirst);
    const receipts = await store()
      .db.select()
      .from(inboundReceipts)
      .where(eq(inboundReceipts.key, `teams:activity:${activity.id}`));
    expect(receipts).toHaveLength(1);
  });

  it('refreshes buttons by role', async () => {
    const opened = await openCase(store(), people.subject);
    const data = { caseId: opened.id, audience: 'security' };

    const analyst = await post(
      url,
      invoke(connector.url, teamsUsers.analyst, 'case:refresh', data),
    );
    const hr = await post(url, invoke(connector.url, teamsUsers.hr, 'case:refresh', data));

    expect(analyst.status).toBe(200);
    expect(analyst.body?.value.actions.length).toBeGreaterThan(0);
    expect(hr.status).toBe(200);
    expect(hr.body?.value.actions ?? []).toEqual([]);
    expect(cardTexts(hr.body?.value)).toContain(opened.key);
  });

  it('validates form values on the server', async () => {
    const opened = await openCase(store(), people.subject);
    const data = {
      caseId: opened.id,
      version: (await showCase(store().db, opened.key)).version,
      expectedState: 'triage',
      audience: 'security',
      [inputIdOf('DISMISS', 'outcome')]: 'not-an-outcome',
      [inputIdOf('DISMISS', 'reason')]: 'Approved backup.',
    };

    const response = await post(
      url,
      invoke(connector.url, teamsUsers.analyst, 'case:DISMISS', data),
    );

    expect(response.body?.value.body[1].text).toBe('Choose one of the options.');
    expect((await showCase(store().db, opened.key)).state).toBe('triage');
  });
});

describe('teams authentication', () => {
  it('rejects a request without a token', async () => {
    const teams = createTeamsApp({
      env: {
        TEAMS_CLIENT_ID: '00000000-0000-0000-0000-000000000001',
        TEAMS_CLIENT_SECRET: 'test-secret',
        TEAMS_TENANT_ID: '0d9b645f-597b-41f0-a2a3-ef103fbd91bb',
      },
      // The request is refused before any handler touches the database.
      db: undefined as never,
      logger: silentLogger,
      pseudonymKey: Buffer.alloc(32),
      act: async () => {
        throw new Error('act must not be called');
      },
    });
    await teams.start();

    const response = await teams.adapter.handle({
      body: corpus('invoke-adaptivecard-action-execute.json'),
      headers: { 'content-type': 'application/json' },
    });

    expect(teams.unauthenticated).toBe(false);
    expect(response.status).toBe(401);
  });

  it('requires HOST 127.0.0.1 without credentials', () => {
    const error = (() => {
      try {
        teamsCredentials({ HOST: '0.0.0.0', TEAMS_ALLOW_UNAUTHENTICATED: 'true' });
      } catch (caught) {
        return caught;
      }
    })();

    expect(isCasebridgeError(error) && error.code).toBe('CONFIG_INVALID');
  });

  it.each([
    ['no credentials', {}],
    ['partial credentials', { TEAMS_CLIENT_ID: 'id' }],
    [
      'flag with credentials',
      {
        TEAMS_CLIENT_ID: 'id',
        TEAMS_CLIENT_SECRET: 'secret',
        TEAMS_TENANT_ID: 'tenant',
        TEAMS_ALLOW_UNAUTHENTICATED: 'true',
      },
    ],
  ])('rejects %s', (_name, env) => {
    let code: string | null = null;
    try {
      teamsCredentials(env);
    } catch (caught) {
      code = isCasebridgeError(caught) ? caught.code : 'other';
    }
    expect(code).toBe('CONFIG_INVALID');
  });

  it('accepts local development', () => {
    expect(teamsCredentials({ HOST: '127.0.0.1', TEAMS_ALLOW_UNAUTHENTICATED: 'true' })).toBeNull();
  });
});
