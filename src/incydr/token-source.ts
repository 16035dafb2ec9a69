import { z } from 'zod';
import { CasebridgeError } from '../errors.ts';

/** The OAuth response of `POST /v1/oauth`; Incydr issues bearer tokens that last 900 seconds. */
const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

/** Sends `POST /v1/oauth` with the given Authorization header and returns status and body. */
export type SendTokenRequest = (authorization: string) => Promise<{ status: number; text: string }>;

export interface TokenSource {
  /** Returns a token valid for at least the renewal margin, requesting a new one when needed. */
  get(): Promise<string>;
  /** Drops `token` after Incydr rejected it, so that the next `get` requests a new one. */
  invalidate(token: string): void;
  /** Number of tokens requested so far. */
  readonly issued: number;
}

export interface TokenSourceOptions {
  clientId: string;
  clientSecret: string;
  send: SendTokenRequest;
  /** Renew this long before expiry; capped at half the token's lifetime. */
  renewBeforeMs?: number;
  now?: () => number;
}

/** Creates the OAuth client-credentials token source: HTTP Basic auth of the key id and secret. */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now;
  const renewBeforeMs = options.renewBeforeMs ?? 60_000;
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
  let current: { token: string; renewAt: number } | null = null;
  let pending: Promise<string> | null = null;
  let issued = 0;

  const requestToken = async (): Promise<string> => {
    const requestedAt = now();
    const response = await options.send(basic);
    issued++;
    if (response.status === 401 || response.status === 403) {
      throw new CasebridgeError(
        'INCYDR_AUTH_FAILED',
        `Incydr rejected the API client ${options.clientId} with HTTP ${response.status} at POST /v1/oauth. Check INCYDR_CLIENT_ID and INCYDR_CLIENT_SECRET.`,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      throw new CasebridgeError(
        'INCYDR_UNAVAILABLE',
        `POST /v1/oauth failed with HTTP ${response.status}.`,
      );
    }
    const parsed = tokenResponseSchema.safeParse(safeJson(response.text));
    if (!parsed.success) {
      throw new CasebridgeError(
        'INCYDR_UNAVAILABLE',
        'POST /v1/oauth returned a body without access_token and expires_in.',
      );
    }
    const lifetimeMs = parsed.data.expires_in * 1000;
    const margin = Math.min(renewBeforeMs, lifetimeMs / 2);
    current = { token: parsed.data.access_token, renewAt: requestedAt + lifetimeMs - margin };
    return current.token;
  };

  return {
    get issued() {
      return issued;
    },
    async get() {
      if (current !== null && now() < current.renewAt) return current.token;
      // One request at a time: callers that arrive while a token is on its way share it.
      pending ??= requestToken().finally(() => {
        pending = null;
      });
      return pending;
    },
    invalidate(token) {
      if (current?.token === token) current = null;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
