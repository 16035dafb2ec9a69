import { setTimeout as sleep } from 'node:timers/promises';
import PQueue from 'p-queue';
import { CasebridgeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { backoffDelay, parseRetryAfter } from './backoff.ts';
import { createTokenSource, type TokenSource } from './token-source.ts';

export interface IncydrRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
}

/** A response that is neither retried nor an authentication failure: 2xx, or 4xx other than 401, 403 and 429. */
export interface IncydrResponse {
  status: number;
  text: string;
}

export interface IncydrClientStats {
  /** Every HTTP request sent, OAuth requests and retries included. */
  requests: number;
  tokensIssued: number;
  retries: number;
}

export interface IncydrClient {
  request(request: IncydrRequest): Promise<IncydrResponse>;
  stats(): IncydrClientStats;
}

export interface IncydrClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  logger: Logger;
  requestsPerMinute: number;
  maxRetries: number;
  /** First backoff ceiling; it doubles per retry up to `backoffMaxMs`. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  timeoutMs?: number;
  renewTokenBeforeMs?: number;
}

/**
 * Creates the Incydr API client. Every request, OAuth included, passes one rate limiter that
 * starts at most one request per 60,000 / requestsPerMinute milliseconds. Network errors, 429 and
 * 5xx are retried with exponential backoff and full jitter, or after the Retry-After delay when
 * Incydr sends one. A 401 drops the token and repeats the request once with a new token.
 */
export function createIncydrClient(options: IncydrClientOptions): IncydrClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  // Strict mode is p-queue's sliding window: two starts are never closer than the interval.
  const queue = new PQueue({
    concurrency: 4,
    strict: true,
    intervalCap: 1,
    interval: Math.max(1, Math.floor(60_000 / options.requestsPerMinute)),
  });
  const backoff = { baseMs: options.backoffBaseMs ?? 1000, maxMs: options.backoffMaxMs ?? 60_000 };
  const timeoutMs = options.timeoutMs ?? 60_000;
  const stats = { requests: 0, retries: 0 };
  const log = options.logger.child({ component: 'incydr-client' });

  const send = async (
    url: string,
    init: RequestInit,
  ): Promise<IncydrResponse & { retryAfter: string | null }> =>
    queue.add(async () => {
      stats.requests++;
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text();
      return { status: response.status, text, retryAfter: response.headers.get('retry-after') };
    });

  const withRetries = async (
    label: string,
    attemptOnce: () => Promise<IncydrResponse & { retryAfter?: string | null }>,
  ): Promise<IncydrResponse> => {
    for (let attempt = 0; ; attempt++) {
      let failure: string;
      let delayMs: number | null = null;
      try {
        const response = await attemptOnce();
        if (response.status !== 429 && response.status < 500) return response;
        failure = `HTTP ${response.status}`;
        delayMs = parseRetryAfter(response.retryAfter ?? null);
      } catch (error) {
        if (error instanceof CasebridgeError) throw error;
        failure = (error as Error).name === 'TimeoutError' ? 'timed out' : 'network error';
      }
      if (attempt >= options.maxRetries) {
        throw new CasebridgeError(
          'INCYDR_UNAVAILABLE',
          `${label} failed (${failure}) after ${attempt + 1} attempts.`,
          { details: { request: label } },
        );
      }
      const waitMs = delayMs ?? backoffDelay(attempt, backoff);
      stats.retries++;
      log.warn(
        {
          request: label,
          failure,
          attempt: attempt + 1,
          delayMs: waitMs,
          retryAfter: delayMs !== null,
        },
        'incydr request failed and is retried',
      );
      await sleep(waitMs);
    }
  };

  const tokens: TokenSource = createTokenSource({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(options.renewTokenBeforeMs === undefined
      ? {}
      : { renewBeforeMs: options.renewTokenBeforeMs }),
    send: (authorization) =>
      withRetries('POST /v1/oauth', () =>
        send(`${baseUrl}/v1/oauth`, { method: 'POST', headers: { authorization } }),
      ),
  });

  const authorized = async (request: IncydrRequest): Promise<IncydrResponse> => {
    const label = `${request.method} ${request.path}`;
    const url = buildUrl(baseUrl, request);
    let renewed = false;
    for (;;) {
      const token = await tokens.get();
      const response = await withRetries(label, () =>
        send(url, {
          method: request.method,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        }),
      );
      if (response.status === 401 && !renewed) {
        // The token expired or was revoked early: one new token, one more try.
        log.info({ request: label }, 'incydr token rejected; requesting a new one');
        tokens.invalidate(token);
        renewed = true;
        continue;
      }
      if (response.status === 401 || response.status === 403) {
        throw new CasebridgeError(
          'INCYDR_AUTH_FAILED',
          `${label} was rejected with HTTP ${response.status}${renewed ? ' with a newly issued token' : ''}. Check that the API client of INCYDR_CLIENT_ID may read this endpoint.`,
          { details: { request: label, status: response.status } },
        );
      }
      return { status: response.status, text: response.text };
    }
  };

  return {
    request: authorized,
    stats: () => ({ ...stats, tokensIssued: tokens.issued }),
  };
}

function buildUrl(baseUrl: string, request: IncydrRequest): string {
  const url = new URL(`${baseUrl}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    url.searchParams.set(key, String(value));
  }
  return url.toString();
}
