import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { FeedName } from '../config.ts';
import { CasebridgeError } from '../errors.ts';

/**
 * The authentication method of one feed endpoint, chosen from the form of its secret. A secret
 * starting with `whsec_` selects Standard Webhooks signatures, any other secret a static bearer token.
 */
export type FeedAuth =
  | { kind: 'none'; feed: FeedName; variable: string }
  | { kind: 'bearer'; feed: FeedName; tokenDigest: Buffer }
  | { kind: 'standard-webhooks'; feed: FeedName; webhook: Webhook };

/** The authentication step that failed. The 401 response carries it in `details.check`. */
export type AuthCheck =
  | 'secret-missing'
  | 'headers-missing'
  | 'bearer-token'
  | 'timestamp'
  | 'signature';

const STANDARD_WEBHOOK_PREFIX = 'whsec_';
const STANDARD_WEBHOOK_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/** Builds the authentication of a feed endpoint. Fails when a `whsec_` secret is not valid base64. */
export function createFeedAuth(feed: FeedName, secret: string | undefined): FeedAuth {
  const variable = `FEED_SECRET_${feed.toUpperCase()}`;
  if (secret === undefined) return { kind: 'none', feed, variable };

  if (!secret.startsWith(STANDARD_WEBHOOK_PREFIX)) {
    return { kind: 'bearer', feed, tokenDigest: sha256(secret) };
  }

  try {
    return { kind: 'standard-webhooks', feed, webhook: new Webhook(secret) };
  } catch (error) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `${variable} starts with "${STANDARD_WEBHOOK_PREFIX}" but the rest is not a base64 key (${(error as Error).message}). Copy the signing secret from the sender exactly, or use a secret without the prefix for bearer authentication.`,
      { cause: error },
    );
  }
}

/**
 * Runs the checks that need only the headers, so that a request without credentials is rejected
 * before its body is read: the whole bearer check, and the presence of the Standard Webhooks headers.
 */
export function authenticateHeaders(auth: FeedAuth, headers: IncomingHttpHeaders): void {
  if (auth.kind === 'none') {
    throw unauthenticated(
      'secret-missing',
      `Feed "${auth.feed}" has no secret configured, so every request is rejected. Set ${auth.variable} to enable it.`,
    );
  }

  if (auth.kind === 'bearer') {
    checkBearerToken(auth, headerValue(headers, 'authorization'));
    return;
  }

  const missing = STANDARD_WEBHOOK_HEADERS.filter(
    (name) => headerValue(headers, name) === undefined,
  );
  if (missing.length > 0) {
    throw unauthenticated(
      'headers-missing',
      `Missing Standard Webhooks header(s): ${missing.join(', ')}.`,
      { missing },
    );
  }
}

/**
 * Verifies the Standard Webhooks signature and timestamp (5 minutes of tolerance either way) over
 * the raw body, and returns the `webhook-id`. Bearer-authenticated feeds have no id.
 */
export function verifyBody(
  auth: FeedAuth,
  headers: IncomingHttpHeaders,
  body: Buffer,
): string | undefined {
  if (auth.kind !== 'standard-webhooks') return undefined;

  const webhookId = headerValue(headers, 'webhook-id');
  const timestamp = headerValue(headers, 'webhook-timestamp');
  const signature = headerValue(headers, 'webhook-signature');
  if (webhookId === undefined || timestamp === undefined || signature === undefined) {
    throw unauthenticated('headers-missing', 'Missing Standard Webhooks headers.');
  }
  if (!/^\d+$/.test(timestamp)) {
    throw unauthenticated(
      'timestamp',
      'The webhook-timestamp header is not a Unix time in seconds.',
    );
  }

  try {
    auth.webhook.verify(
      body,
      {
        'webhook-id': webhookId,
        'webhook-timestamp': timestamp,
        'webhook-signature': signature,
      },
      { jsonParse: false },
    );
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    // NOTE: standardwebhooks 1.3.0 names the failed check only in its message text
    // ("Message timestamp too old", "No matching signature found"). The tests pin both.
    if (/timestamp/i.test(error.message)) {
      throw unauthenticated(
        'timestamp',
        'The webhook-timestamp header is more than 5 minutes away from the server clock. Check the sender clock, or resend the delivery.',
      );
    }
    throw unauthenticated(
      'signature',
      'No webhook-signature matches the body signed with the feed secret.',
    );
  }

  return webhookId;
}

function checkBearerToken(auth: FeedAuth & { kind: 'bearer' }, authorization: string | undefined) {
  if (authorization === undefined) {
    throw unauthenticated('headers-missing', 'Missing Authorization header.', {
      missing: ['authorization'],
    });
  }

  const separator = authorization.indexOf(' ');
  const scheme = separator === -1 ? authorization : authorization.slice(0, separator);
  const token = separator === -1 ? '' : authorization.slice(separator + 1).trim();
  // Comparing digests of equal length keeps the comparison constant-time whatever the token length.
  const matches =
    scheme.toLowerCase() === 'bearer' && timingSafeEqual(sha256(token), auth.tokenDigest);
  if (!matches) {
    throw unauthenticated(
      'bearer-token',
      'The Authorization header does not carry the feed bearer token.',
    );
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function unauthenticated(
  check: AuthCheck,
  message: string,
  details: Record<string, unknown> = {},
): CasebridgeError {
  return new CasebridgeError('UNAUTHENTICATED', message, { details: { check, ...details } });
}
