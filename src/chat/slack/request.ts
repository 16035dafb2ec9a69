import type { IncomingHttpHeaders } from 'node:http';
import { verifySlackRequest } from '@slack/bolt';
import { CasebridgeError } from '../../errors.ts';

/** Slack's replay window: a request signed more than five minutes away from now is rejected. */
const maxClockSkewSeconds = 5 * 60;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unauthenticated(reason: string): CasebridgeError {
  return new CasebridgeError('UNAUTHENTICATED', `Slack request rejected: ${reason}.`);
}

/** Throws UNAUTHENTICATED when a request lacks Slack's signature headers. */
export function requireSignatureHeaders(headers: IncomingHttpHeaders): void {
  if (
    header(headers, 'x-slack-signature') === undefined ||
    header(headers, 'x-slack-request-timestamp') === undefined
  ) {
    throw unauthenticated('the X-Slack-Signature or X-Slack-Request-Timestamp header is missing');
  }
}

/**
 * Checks a request's v0 signature (HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing
 * secret) with Bolt's `verifySlackRequest`, and its timestamp against the replay window in both
 * directions; Bolt only rejects timestamps in the past. Throws UNAUTHENTICATED when either fails.
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  nowMs: number;
}): void {
  requireSignatureHeaders(input.headers);
  const signature = header(input.headers, 'x-slack-signature')!;
  const timestampText = header(input.headers, 'x-slack-request-timestamp')!;
  const timestamp = Number(timestampText);
  if (!/^\d{1,12}$/.test(timestampText) || !Number.isSafeInteger(timestamp)) {
    throw unauthenticated('X-Slack-Request-Timestamp is not a Unix time in seconds');
  }
  if (timestamp > Math.floor(input.nowMs / 1000) + maxClockSkewSeconds) {
    throw unauthenticated('X-Slack-Request-Timestamp is more than five minutes in the future');
  }

  try {
    verifySlackRequest({
      signingSecret: input.signingSecret,
      body: input.rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: input.nowMs,
    });
  } catch (error) {
    // Bolt's messages name the failed rule (stale timestamp, signature mismatch) and nothing secret.
    throw unauthenticated((error as Error).message);
  }
}

function invalidBody(reason: string): CasebridgeError {
  return new CasebridgeError('PAYLOAD_INVALID', `Slack request body is invalid: ${reason}.`);
}

function parseJsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidBody(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidBody(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Parses the body of a verified Slack request: JSON for the Events API, form fields with one
 * `payload` JSON field for interactivity, plain form fields for slash commands. Throws
 * PAYLOAD_INVALID for other media types and malformed bodies.
 */
export function parseSlackBody(
  contentType: string | undefined,
  rawBody: string,
): Record<string, unknown> {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();

  if (mediaType === 'application/json') return parseJsonObject(rawBody, 'the body');
  if (mediaType === 'application/x-www-form-urlencoded') {
    const fields = new URLSearchParams(rawBody);
    const payload = fields.get('payload');
    if (payload !== null) return parseJsonObject(payload, 'the payload field');
    return Object.fromEntries(fields);
  }
  throw invalidBody(`Content-Type ${mediaType ?? '(none)'} is not JSON or form fields`);
}

/**
 * Returns the `challenge` of the Events API's URL verification, which Slack sends when the request
 * URL is saved and expects echoed back, or null for any other request.
 */
export function urlVerificationChallenge(body: Record<string, unknown>): string | null {
  if (body.type !== 'url_verification') return null;
  return typeof body.challenge === 'string' ? body.challenge : null;
}

/** Reads the Events API's retry headers, which Bolt passes to listeners as `context.retryNum`. */
export function retryHeaders(headers: IncomingHttpHeaders): {
  retryNum?: number;
  retryReason?: string;
} {
  const num = Number(header(headers, 'x-slack-retry-num'));
  const reason = header(headers, 'x-slack-retry-reason');
  return {
    ...(Number.isInteger(num) && num > 0 ? { retryNum: num } : {}),
    ...(reason === undefined ? {} : { retryReason: reason }),
  };
}
