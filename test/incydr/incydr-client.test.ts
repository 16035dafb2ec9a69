import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCasebridgeError } from '../../src/errors.ts';
import { backoffDelay, maxRetryAfterMs, parseRetryAfter } from '../../src/incydr/backoff.ts';
import { createIncydrClient, type IncydrClientOptions } from '../../src/incydr/incydr-client.ts';
import { FakeIncydrApi } from '../support/fake-incydr-api.ts';
import { captureLogs, maxCallsWithin } from './incydr-fixtures.ts';

let fake: FakeIncydrApi;

beforeEach(async () => {
  fake = await new FakeIncydrApi().start();
});
afterEach(async () => {
  await fake.stop();
});

function client(overrides: Partial<IncydrClientOptions> = {}) {
  const logs = captureLogs();
  const created = createIncydrClient({
    baseUrl: fake.url,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger: logs.logger,
    requestsPerMinute: 6000,
    maxRetries: 3,
    backoffBaseMs: 10,
    backoffMaxMs: 50,
    ...overrides,
  });
  return { client: created, logs };
}

const search = { method: 'POST', path: '/v2/file-events', body: { pgToken: '' } } as const;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isCasebridgeError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('incydr client', () => {
  it('authenticates with basic credentials and bearer tokens', async () => {
    const { client: incydr } = client();

    const response = await incydr.request(search);

    expect(response.status).toBe(200);
    expect(fake.calls.map((call) => [call.path, call.auth])).toEqual([
      ['/v1/oauth', 'basic'],
      ['/v2/file-events', 'bearer'],
    ]);
    expect(incydr.stats()).toEqual({ requests: 2, tokensIssued: 1, retries: 0 });
  });

  it('reads the token response of the corpus', async () => {
    const fixture = JSON.parse(
      readFileSync(
        new URL('../fixtures/feeds/incydr/oauth-token-response.json', import.meta.url),
        'utf8',
      ),
    ) as Record<string, unknown>;
    fake.failRequest('/v1/oauth', 1, { status: 200, body: JSON.stringify(fixture) });
    const { client: incydr } = client();

    // The fake does not know the fixture's token, so it returns 401 and the client renews once.
    await incydr.request(search);

    expect(fake.callsTo('/v1/oauth')).toHaveLength(2);
    expect(fake.callsTo('/v2/file-events').map((call) => call.status)).toEqual([401, 200]);
  });

  it('renews the token before it expires', async () => {
    fake.tokenLifetimeSeconds = 1;
    const { client: incydr } = client();

    await incydr.request(search);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await incydr.request(search);

    // A one-second token is renewed half-way through its life, before Incydr rejects it.
    expect(incydr.stats().tokensIssued).toBe(2);
    expect(fake.callsTo('/v2/file-events').map((call) => call.status)).toEqual([200, 200]);
  });

  it('renews once after a 401', async () => {
    const { client: incydr, logs } = client();
    await incydr.request(search);
    fake.revokeTokens();

    const response = await incydr.request(search);

    expect(response.status).toBe(200);
    expect(fake.calls.map((call) => `${call.path} ${call.status}`)).toEqual([
      '/v1/oauth 200',
      '/v2/file-events 200',
      '/v2/file-events 401',
      '/v1/oauth 200',
      '/v2/file-events 200',
    ]);
    expect(logs.text()).not.toContain(fake.clientSecret);
  });

  it('fails after a second 401', async () => {
    fake.failRequest('/v2/file-events', 1, { status: 401 });
    fake.failRequest('/v2/file-events', 2, { status: 401 });
    const { client: incydr } = client();

    expect(await codeOf(incydr.request(search))).toBe('INCYDR_AUTH_FAILED');
    expect(fake.callsTo('/v1/oauth')).toHaveLength(2);
  });

  it('rejects wrong credentials without retrying', async () => {
    const { client: incydr, logs } = client({ clientSecret: 'wrong-secret' });

    const failure = await incydr.request(search).catch((error: Error) => error);

    expect(isCasebridgeError(failure) && failure.code).toBe('INCYDR_AUTH_FAILED');
    expect((failure as Error).message).toContain(fake.clientId);
    expect((failure as Error).message).not.toContain('wrong-secret');
    expect(fake.callsTo('/v1/oauth')).toHaveLength(1);
    expect(logs.text()).not.toContain('wrong-secret');
  });

  it('waits for Retry-After after a 429', async () => {
    const { client: incydr, logs } = client();
    await incydr.request(search);
    fake.failRequest('/v2/file-events', 1, { status: 429, retryAfter: '1' });

    const started = Date.now();
    const response = await incydr.request(search);

    expect(response.status).toBe(200);
    const [limited, retried] = fake.callsTo('/v2/file-events').slice(1);
    expect(limited?.status).toBe(429);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(990);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    const retryLine = logs
      .lines()
      .find((line) => line.msg === 'incydr request failed and is retried');
    expect(retryLine).toMatchObject({ failure: 'HTTP 429', delayMs: 1000, retryAfter: true });
  });

  it('backs off on 5xx and gives up', async () => {
    for (let nth = 1; nth <= 4; nth++) fake.failRequest('/v2/file-events', nth, { status: 503 });
    const { client: incydr } = client({ maxRetries: 3 });

    expect(await codeOf(incydr.request(search))).toBe('INCYDR_UNAVAILABLE');
    expect(fake.callsTo('/v2/file-events')).toHaveLength(4);
    expect(incydr.stats().retries).toBe(3);
  });

  it('retries a network error', async () => {
    const { client: incydr } = client({ baseUrl: 'http://127.0.0.1:9', maxRetries: 1 });

    expect(await codeOf(incydr.request(search))).toBe('INCYDR_UNAVAILABLE');
    expect(incydr.stats()).toMatchObject({ requests: 2, retries: 1 });
  });

  it('spaces requests by the rate budget', async () => {
    const { client: incydr } = client({ requestsPerMinute: 600 });

    const started = Date.now();
    for (let index = 0; index < 15; index++) await incydr.request(search);

    // 600 a minute is one request per 100 ms: 16 requests, OAuth included, take 1.5 s at least.
    // Arrival times on the fake vary by a few milliseconds around the starts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1490);
    expect(
      maxCallsWithin(
        fake.calls.map((call) => call.at),
        1000,
      ),
    ).toBeLessThanOrEqual(11);
  });
});

describe('retry timing', () => {
  it('reads Retry-After seconds and dates', () => {
    const now = Date.parse('2026-12-04T12:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Fri, 04 Dec 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Fri, 04 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(maxRetryAfterMs);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('doubles the backoff ceiling with full jitter', () => {
    const options = { baseMs: 1000, maxMs: 60_000 };
    expect(backoffDelay(0, options, () => 1)).toBe(1000);
    expect(backoffDelay(3, options, () => 1)).toBe(8000);
    expect(backoffDelay(10, options, () => 1)).toBe(60_000);
    expect(backoffDelay(3, options, () => 0.5)).toBe(4000);
    expect(backoffDelay(3, options, () => 0)).toBe(0);
  });
});
