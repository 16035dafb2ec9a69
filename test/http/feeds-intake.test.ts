import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { count, eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { ingestFeed } from '../../src/intake/ingest-feed.ts';
import { auditEvents, cases, signals, timers, webhookReceipts } from '../../src/store/schema.ts';
import { silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';
import { startServer, type TestServer } from './start-server.ts';

const corpusBody = readFileSync('/work/shared/corpus/incydr/sessions-v1-page.json', 'utf8');
const corpusPage = JSON.parse(corpusBody) as { items: Record<string, unknown>[] };
const signingSecret = `whsec_${randomBytes(24).toString('base64')}`;
const bearerToken = `bearer-${randomBytes(16).toString('hex')}`;
const maxBytes = 8192;

const env = {
  FEED_SECRET_INCYDR: signingSecret,
  FEED_SECRET_EXABEAM: bearerToken,
  FEED_MAX_BYTES: String(maxBytes),
};

function signedHeaders(
  body: string,
  options: { id?: string; timestamp?: Date; secret?: string } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? new Date();
  const webhook = new Webhook(options.secret ?? signingSecret);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, timestamp, body),
  };
}

/** Builds a page of Incydr sessions: the corpus session under a new id, plus any extra items. */
function sessionPage(sessionId: string, extraItems: unknown[] = []): string {
  const session = { ...corpusPage.items[0], sessionId };
  return JSON.stringify({ items: [session, ...extraItems], totalCount: 1 + extraItems.length });
}

describeStores('POST /feeds/:feed with intake', (current) => {
  let server: TestServer;

  beforeAll(async () => {
    const { store } = current();
    server = await startServer({
      env,
      store,
      ingestFeed: (input) =>
        ingestFeed({ db: store.db, logger: silentLogger, reopenWindowHours: 72 }, input),
    });
  });

  afterAll(async () => {
    await server.close();
  });

  async function rowCounts() {
    const { db } = current().store;
    const tables = { cases, signals, auditEvents, timers, webhookReceipts };
    const counts: Record<string, number> = {};
    for (const [name, table] of Object.entries(tables)) {
      const [row] = await db.select({ rows: count() }).from(table);
      counts[name] = row?.rows ?? -1;
    }
    return counts;
  }

  async function post(feed: string, body: string, headers: Record<string, string>) {
    return fetch(`${server.url}/feeds/${feed}`, { method: 'POST', headers, body });
  }

  async function errorOf(response: Response) {
    return ((await response.json()) as { error: { code: string; details?: unknown } }).error;
  }

  const stale = new Date(Date.now() - 10 * 60 * 1000);
  const refusals: [string, () => Promise<Response>, number, string][] = [
    [
      'bad signature',
      () =>
        post(
          'incydr',
          corpusBody,
          signedHeaders(corpusBody, { secret: `whsec_${randomBytes(24).toString('base64')}` }),
        ),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'stale timestamp',
      () => post('incydr', corpusBody, signedHeaders(corpusBody, { timestamp: stale })),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'missing headers',
      () => post('incydr', corpusBody, { 'content-type': 'application/json' }),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'wrong bearer token',
      () => post('exabeam', corpusBody, { authorization: 'Bearer wrong' }),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'feed without a secret',
      () => post('purview', corpusBody, { authorization: `Bearer ${bearerToken}` }),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'oversized body',
      () => {
        const body = corpusBody + ' '.repeat(maxBytes);
        return post('incydr', body, signedHeaders(body));
      },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'malformed JSON',
      () => post('incydr', corpusBody.slice(0, -10), signedHeaders(corpusBody.slice(0, -10))),
      400,
      'PAYLOAD_INVALID',
    ],
    [
      'unknown feed',
      () => post('splunk', corpusBody, signedHeaders(corpusBody)),
      404,
      'FEED_UNKNOWN',
    ],
  ];

  it.each(refusals)('stores nothing on %s', async (_case, send, status, code) => {
    const before = await rowCounts();

    const response = await send();

    expect(response.status).toBe(status);
    expect((await errorOf(response)).code).toBe(code);
    expect(await rowCounts()).toEqual(before);
  });

  it('stores a signed delivery once', async () => {
    const before = await rowCounts();
    const headers = signedHeaders(corpusBody, { id: 'msg_corpus' });

    const accepted = await post('incydr', corpusBody, headers);
    const afterAccepted = await rowCounts();
    const replayed = await post('incydr', corpusBody, headers);

    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toEqual({ created: 1, grouped: 0, duplicates: 0, rejected: [] });
    expect(afterAccepted.signals).toBe((before.signals ?? 0) + 1);
    expect(afterAccepted.cases).toBe((before.cases ?? 0) + 1);
    expect(afterAccepted.webhookReceipts).toBe((before.webhookReceipts ?? 0) + 1);
    expect(replayed.status).toBe(409);
    expect((await errorOf(replayed)).code).toBe('WEBHOOK_REPLAYED');
    expect(await rowCounts()).toEqual(afterAccepted);
  });

  it('returns the reasons of invalid JSON', async () => {
    const body = corpusBody.slice(0, -10);

    const response = await post('incydr', body, signedHeaders(body));

    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('PAYLOAD_INVALID');
    expect(error.details).toEqual({ rejected: parseFeed('incydr', body).rejected });
    expect(parseFeed('incydr', body).rejected).toHaveLength(1);
  });

  it('stores no record of a partly invalid delivery', async () => {
    const sessionId = `session-${randomUUID()}`;
    const body = sessionPage(sessionId, [{ sessionId: 'no-subject' }]);
    const before = await rowCounts();

    const response = await post('incydr', body, signedHeaders(body));

    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('PAYLOAD_INVALID');
    expect(error.details).toEqual({ rejected: parseFeed('incydr', body).rejected });
    expect(
      (error.details as { rejected: { index: number }[] }).rejected.map((r) => r.index),
    ).toEqual([1]);
    const stored = await current()
      .store.db.select()
      .from(signals)
      .where(eq(signals.externalId, sessionId));
    expect(stored).toHaveLength(0);
    expect(await rowCounts()).toEqual(before);
  });

  it('accepts a fixed delivery under the id of a rejected one', async () => {
    const sessionId = `session-${randomUUID()}`;
    const invalid = sessionPage(sessionId, [{ sessionId: 'no-subject' }]);
    const fixed = sessionPage(sessionId);

    const rejected = await post('incydr', invalid, signedHeaders(invalid, { id: 'msg_resent' }));
    const accepted = await post('incydr', fixed, signedHeaders(fixed, { id: 'msg_resent' }));

    expect(rejected.status).toBe(400);
    expect(accepted.status).toBe(202);
    const summary = (await accepted.json()) as { created: number; grouped: number };
    expect(summary.created + summary.grouped).toBe(1);
  });

  it('stores a bearer delivery without a receipt', async () => {
    const before = await rowCounts();
    const body = JSON.stringify(
      JSON.parse(
        readFileSync('/work/shared/corpus/exabeam/aa-notable-users-response.json', 'utf8'),
      ),
    );

    const response = await post('exabeam', body, {
      authorization: `Bearer ${bearerToken}`,
      'content-type': 'application/json',
    });

    expect(response.status).toBe(202);
    const summary = (await response.json()) as { created: number; grouped: number };
    const after = await rowCounts();
    expect(summary.created + summary.grouped).toBeGreaterThan(0);
    expect(after.signals).toBe((before.signals ?? 0) + summary.created + summary.grouped);
    expect(after.webhookReceipts).toBe(before.webhookReceipts);
  });
});
