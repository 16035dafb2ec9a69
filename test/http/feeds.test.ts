import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DrizzleQueryError } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { CasebridgeError } from '../../src/errors.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { buildServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/log.ts';
import type { Store } from '../../src/store/db.ts';
import { openTestStore } from '../support/stores.ts';
import {
  type FakeIngestFeed,
  fakeIngestFeed,
  startServer,
  type TestServer,
} from './start-server.ts';

const corpusBody = readFileSync('/work/shared/corpus/incydr/sessions-v1-page.json', 'utf8');
const signingSecret = `whsec_${randomBytes(24).toString('base64')}`;
const bearerToken = `bearer-${randomBytes(16).toString('hex')}`;
const maxBytes = 4096;

const env = {
  FEED_SECRET_INCYDR: signingSecret,
  FEED_SECRET_EXABEAM: bearerToken,
  FEED_MAX_BYTES: String(maxBytes),
};

/** Signs a body the way a Standard Webhooks sender does. */
function signedHeaders(
  body: string | Buffer,
  options: { id?: string; timestamp?: Date; secret?: string } = {},
): Record<string, string> {
  const id = options.id ?? `msg_${randomUUID()}`;
  const timestamp = options.timestamp ?? new Date();
  const webhook = new Webhook(options.secret ?? signingSecret);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': webhook.sign(id, timestamp, body),
  };
}

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

describe('POST /feeds/:feed', () => {
  let server: TestServer;
  let fake: FakeIngestFeed;
  let store: Store;
  let dropStore: () => Promise<void>;

  beforeAll(async () => {
    const handle = await openTestStore('pglite');
    store = handle.store;
    dropStore = handle.drop;
    fake = fakeIngestFeed();
    server = await startServer({ env, store: handle.store, ingestFeed: fake.ingestFeed });
  });

  afterAll(async () => {
    await server.close();
    await dropStore();
  });

  beforeEach(() => {
    fake.calls.length = 0;
    fake.respond({ created: 0, grouped: 0, duplicates: 0, rejected: [] });
  });

  async function post(
    feed: string,
    body: string | Buffer | undefined,
    headers: Record<string, string> = {},
  ) {
    return fetch(`${server.url}/feeds/${feed}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  }

  async function expectError(response: Response, status: number, code: string) {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    return body.error;
  }

  describe('Standard Webhooks', () => {
    it('accepts a signed delivery', async () => {
      fake.respond({ created: 1, grouped: 0, duplicates: 0, rejected: [] });
      const headers = signedHeaders(corpusBody, { id: 'msg_accepted' });

      const response = await post('incydr', corpusBody, headers);

      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({
        created: 1,
        grouped: 0,
        duplicates: 0,
        rejected: [],
      });
      expect(fake.calls).toEqual([
        { feed: 'incydr', text: corpusBody, atomic: true, webhookId: 'msg_accepted' },
      ]);
    });

    it.each(['application/x-ndjson', 'text/plain; charset=utf-8', 'application/octet-stream'])(
      'accepts content type %s',
      async (contentType) => {
        const response = await post('incydr', corpusBody, {
          ...signedHeaders(corpusBody),
          'content-type': contentType,
        });

        expect(response.status).toBe(202);
        expect(fake.calls[0]?.text).toBe(corpusBody);
      },
    );

    it('accepts a body without Content-Type', async () => {
      // fetch sends no Content-Type for a byte array body.
      const response = await fetch(`${server.url}/feeds/incydr`, {
        method: 'POST',
        headers: signedHeaders(corpusBody),
        body: new TextEncoder().encode(corpusBody),
      });

      expect(response.status).toBe(202);
      expect(fake.calls[0]?.text).toBe(corpusBody);
    });

    it('verifies the exact bytes sent', async () => {
      // Reformatted JSON with the same meaning has a different signature.
      const compact = JSON.stringify(JSON.parse(corpusBody));
      const response = await post('incydr', compact, signedHeaders(compact));

      expect(response.status).toBe(202);
      expect(fake.calls[0]?.text).toBe(compact);
    });

    it('rejects a bad signature', async () => {
      const headers = signedHeaders(corpusBody, {
        secret: `whsec_${randomBytes(24).toString('base64')}`,
      });

      const error = await expectError(
        await post('incydr', corpusBody, headers),
        401,
        'UNAUTHENTICATED',
      );

      expect(error.details).toEqual({ check: 'signature' });
      expect(fake.calls).toHaveLength(0);
    });

    it('rejects a body changed after signing', async () => {
      const headers = signedHeaders(corpusBody);
      const changed = corpusBody.replace('123-session-1', '123-session-2');

      const error = await expectError(
        await post('incydr', changed, headers),
        401,
        'UNAUTHENTICATED',
      );

      expect(error.details).toEqual({ check: 'signature' });
      expect(fake.calls).toHaveLength(0);
    });

    it('rejects a stale timestamp', async () => {
      const tenMinutesAgo = new Date(Date.now() - 10 * 60 * 1000);
      const headers = signedHeaders(corpusBody, { timestamp: tenMinutesAgo });

      const error = await expectError(
        await post('incydr', corpusBody, headers),
        401,
        'UNAUTHENTICATED',
      );

      expect(error.details).toEqual({ check: 'timestamp' });
      expect(fake.calls).toHaveLength(0);
    });

    it('rejects a future timestamp', async () => {
      const inTenMinutes = new Date(Date.now() + 10 * 60 * 1000);
      const headers = signedHeaders(corpusBody, { timestamp: inTenMinutes });

      const error = await expectError(
        await post('incydr', corpusBody, headers),
        401,
        'UNAUTHENTICATED',
      );

      expect(error.details).toEqual({ check: 'timestamp' });
    });

    it('rejects a non-numeric timestamp', async () => {
      const headers = { ...signedHeaders(corpusBody), 'webhook-timestamp': 'yesterday' };

      const error = await expectError(
        await post('incydr', corpusBody, headers),
        401,
        'UNAUTHENTICATED',
      );

      expect(error.details).toEqual({ check: 'timestamp' });
    });

    it.each(['webhook-id', 'webhook-timestamp', 'webhook-signature'])(
      'rejects a delivery without %s',
      async (missing) => {
        const headers = signedHeaders(corpusBody);
        delete headers[missing];

        const error = await expectError(
          await post('incydr', corpusBody, headers),
          401,
          'UNAUTHENTICATED',
        );

        expect(error.details).toEqual({ check: 'headers-missing', missing: [missing] });
        expect(fake.calls).toHaveLength(0);
      },
    );

    it('rejects a replayed webhook id', async () => {
      fake.respond(
        new CasebridgeError('WEBHOOK_REPLAYED', 'Webhook msg_replayed was already processed.', {
          details: { webhookId: 'msg_replayed' },
        }),
      );

      const response = await post(
        'incydr',
        corpusBody,
        signedHeaders(corpusBody, { id: 'msg_replayed' }),
      );

      const error = await expectError(response, 409, 'WEBHOOK_REPLAYED');
      expect(error.details).toEqual({ webhookId: 'msg_replayed' });
      expect(fake.calls[0]?.webhookId).toBe('msg_replayed');
    });
  });

  describe('bearer token', () => {
    it('accepts the configured token', async () => {
      fake.respond({ created: 0, grouped: 2, duplicates: 1, rejected: [] });

      const response = await post('exabeam', corpusBody, {
        authorization: `Bearer ${bearerToken}`,
      });

      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({
        created: 0,
        grouped: 2,
        duplicates: 1,
        rejected: [],
      });
      expect(fake.calls).toEqual([
        { feed: 'exabeam', text: corpusBody, atomic: true, webhookId: undefined },
      ]);
    });

    it('accepts the scheme in any case', async () => {
      const response = await post('exabeam', corpusBody, {
        authorization: `bearer ${bearerToken}`,
      });

      expect(response.status).toBe(202);
    });

    it.each([
      ['another token', `Bearer ${bearerToken}x`],
      ['a token prefix', `Bearer ${bearerToken.slice(0, -1)}`],
      ['another scheme', `Basic ${bearerToken}`],
      ['no token', 'Bearer'],
    ])('rejects %s', async (_case, authorization) => {
      const response = await post('exabeam', corpusBody, { authorization });

      const error = await expectError(response, 401, 'UNAUTHENTICATED');
      expect(error.details).toEqual({ check: 'bearer-token' });
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(fake.calls).toHaveLength(0);
    });

    it('rejects a missing Authorization header', async () => {
      const error = await expectError(await post('exabeam', corpusBody), 401, 'UNAUTHENTICATED');

      expect(error.details).toEqual({ check: 'headers-missing', missing: ['authorization'] });
    });

    it('ignores Standard Webhooks headers', async () => {
      const headers = signedHeaders(corpusBody, { secret: signingSecret });

      const error = await expectError(
        await post('exabeam', corpusBody, headers),
        401,
        'UNAUTHENTICATED',
      );

      expect(error.details).toEqual({ check: 'headers-missing', missing: ['authorization'] });
    });
  });

  it('rejects every request to a feed without a secret', async () => {
    const response = await post('purview', corpusBody, { authorization: `Bearer ${bearerToken}` });

    const error = await expectError(response, 401, 'UNAUTHENTICATED');
    expect(error.details).toEqual({ check: 'secret-missing' });
    expect(error.message).toContain('FEED_SECRET_PURVIEW');
    expect(fake.calls).toHaveLength(0);
  });

  it('rejects an unknown feed', async () => {
    const error = await expectError(await post('splunk', corpusBody), 404, 'FEED_UNKNOWN');

    expect(error.details).toEqual({ feeds: ['incydr', 'exabeam', 'purview', 'webhook'] });
    expect(fake.calls).toHaveLength(0);
  });

  describe('body size', () => {
    const oversized = `[${'0,'.repeat(maxBytes / 2)}0]`;

    it('accepts a body of exactly FEED_MAX_BYTES', async () => {
      const body = ' '.repeat(maxBytes - corpusBody.length) + corpusBody;

      const response = await post('incydr', body, signedHeaders(body));

      expect(response.status).toBe(202);
      expect(fake.calls[0]?.text).toBe(body);
    });

    it('rejects a larger body by its Content-Length', async () => {
      const response = await post('incydr', oversized, signedHeaders(oversized));

      await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
      expect(fake.calls).toHaveLength(0);
    });

    it('rejects a larger chunked body', async () => {
      const chunks = [oversized.slice(0, 2000), oversized.slice(2000)];
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      });

      const response = await fetch(`${server.url}/feeds/incydr`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signedHeaders(oversized) },
        body: stream,
        duplex: 'half',
      } as RequestInit);

      await expectError(response, 413, 'PAYLOAD_TOO_LARGE');
      expect(fake.calls).toHaveLength(0);
    });
  });

  describe('intake errors', () => {
    it('returns the rejected records of an invalid payload', async () => {
      const rejected = [
        { index: 0, reason: 'items[0].actorId: expected string' },
        { index: 2, reason: 'not valid JSON' },
      ];
      fake.respond(
        new CasebridgeError('PAYLOAD_INVALID', '2 of 3 records are invalid; nothing was stored.', {
          details: { rejected },
        }),
      );

      const response = await post('incydr', '{"items":[', signedHeaders('{"items":['));

      const error = await expectError(response, 400, 'PAYLOAD_INVALID');
      expect(error.details).toEqual({ rejected });
      expect(fake.calls).toHaveLength(1);
    });

    it('asks to retry while the database is unavailable', async () => {
      fake.respond(
        new CasebridgeError('DATABASE_UNAVAILABLE', 'The database could not be reached.'),
      );

      const response = await post('incydr', corpusBody, signedHeaders(corpusBody));

      await expectError(response, 503, 'DATABASE_UNAVAILABLE');
      expect(response.headers.get('retry-after')).toBe('5');
    });

    it('hides an unexpected error', async () => {
      fake.respond(new Error('queue connection refused for bob@example.com'));

      const response = await post('exabeam', corpusBody, {
        authorization: `Bearer ${bearerToken}`,
      });

      const error = await expectError(response, 500, 'INTERNAL_ERROR');
      expect(error.message).not.toContain('bob@example.com');
      const requestId = (error.details as { requestId: string }).requestId;
      const failure = server.logLines.find(
        (line) => line.reqId === requestId && line.msg === 'request failed',
      );
      expect(failure).toBeDefined();
      expect(failure!.level).toBe(50);
      expect((failure!.error as { type: string }).type).toBe('Error');
    });

    it('keeps database error messages out of the log', async () => {
      const cause = Object.assign(new Error('duplicate key'), { code: '23505' });
      fake.respond(
        new DrizzleQueryError(
          'insert into people (email) values ($1)',
          ['alice@example.com'],
          cause,
        ),
      );

      const response = await post('incydr', corpusBody, signedHeaders(corpusBody));

      const error = await expectError(response, 500, 'INTERNAL_ERROR');
      const requestId = (error.details as { requestId: string }).requestId;
      const failure = server.logLines.find(
        (line) => line.reqId === requestId && line.msg === 'request failed',
      );
      expect((failure?.error as { code: string } | undefined)?.code).toBe('23505');
      expect(server.logText()).not.toContain('alice@example.com');
    });
  });

  it('maps a malformed Content-Type to PAYLOAD_INVALID', async () => {
    const response = await post('incydr', corpusBody, {
      ...signedHeaders(corpusBody),
      'content-type': 'json',
    });

    await expectError(response, 400, 'PAYLOAD_INVALID');
    expect(fake.calls).toHaveLength(0);
  });

  describe('logging', () => {
    it('logs rejections at info without credentials or body', async () => {
      const before = server.logLines.length;

      await post('exabeam', corpusBody, { authorization: `Bearer ${bearerToken}-wrong` });

      const lines = server.logLines.slice(before);
      const rejection = lines.find((line) => line.msg === 'request rejected');
      expect(rejection).toBeDefined();
      expect(rejection!.level).toBe(30);
      expect((rejection!.error as { code: string }).code).toBe('UNAUTHENTICATED');
      expect(typeof rejection!.reqId).toBe('string');
    });

    it('never logs secrets or payload content', async () => {
      await post('incydr', corpusBody, signedHeaders(corpusBody));
      await post('exabeam', corpusBody, { authorization: `Bearer ${bearerToken}` });

      const text = server.logText();
      expect(text).not.toContain(bearerToken);
      expect(text).not.toContain(signingSecret.slice('whsec_'.length));
      expect(text).not.toContain('test_actor_name');
      expect(text).not.toContain('123-session-1');
    });
  });

  it('counts requests per feed and status', async () => {
    const counter = server.metrics.feedRequests;
    const countOf = async (feed: string, status: string) =>
      (await counter.get()).values.find(
        (value) => value.labels.feed === feed && value.labels.status === status,
      )?.value ?? 0;
    const accepted = await countOf('incydr', '202');
    const unauthenticated = await countOf('exabeam', '401');
    const unknown = await countOf('unknown', '404');

    await post('incydr', corpusBody, signedHeaders(corpusBody));
    await post('exabeam', corpusBody, { authorization: 'Bearer nope' });
    await post('splunk', corpusBody);

    expect(await countOf('incydr', '202')).toBe(accepted + 1);
    expect(await countOf('exabeam', '401')).toBe(unauthenticated + 1);
    expect(await countOf('unknown', '404')).toBe(unknown + 1);
  });

  it('rejects a non-base64 whsec_ secret at startup', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'casebridge-http-'));
    const config = loadConfig({ FEED_SECRET_WEBHOOK: 'whsec_not*base64!' }, cwd);

    const build = buildServer({
      config,
      store,
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      ingestFeed: fake.ingestFeed,
    });

    await expect(build).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
