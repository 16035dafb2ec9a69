/** The outbox's next step after a failed delivery. */
export type DeliveryFailure =
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'transient'; reason: string }
  | { kind: 'permanent'; reason: string };

/** Slack platform errors that no retry can fix: the channel, user or app must be changed first. */
const permanentSlackErrors = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'users_not_found',
  'user_not_found',
  'cannot_dm_bot',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'missing_scope',
  'invalid_blocks',
  'msg_too_long',
  'no_text',
]);

/**
 * Classifies an error thrown by a chat port. Slack's WebClient reports rate limits with
 * `retryAfter` in seconds, refusals as platform errors with `data.error`, and HTTP or network
 * failures with their own codes; anything unknown is treated as transient and retried with backoff.
 */
export function classifyDeliveryError(error: unknown): DeliveryFailure {
  const value = error as {
    code?: string;
    retryAfter?: number;
    data?: { error?: string };
    statusCode?: number;
    message?: string;
    isAxiosError?: boolean;
    status?: number;
    response?: { status?: number; headers?: Record<string, unknown> };
  };
  if (value?.code === 'console_recipient_not_found') {
    return { kind: 'permanent', reason: 'recipient_not_found' };
  }
  if (value?.code === 'slack_webapi_rate_limited_error') {
    return { kind: 'rate_limited', retryAfterMs: Math.max(1, value.retryAfter ?? 1) * 1000 };
  }
  if (value?.code === 'slack_webapi_platform_error') {
    const reason = value.data?.error ?? 'unknown_error';
    if (reason === 'ratelimited') return { kind: 'rate_limited', retryAfterMs: 1000 };
    return permanentSlackErrors.has(reason)
      ? { kind: 'permanent', reason }
      : { kind: 'transient', reason };
  }
  if (value?.code === 'slack_webapi_http_error') {
    return { kind: 'transient', reason: `HTTP ${value.statusCode ?? 'error'}` };
  }
  // The Teams SDK's HTTP client is axios: the Bot Framework connector answers 429 with Retry-After
  // and 412, 502 and 504 when a retry may work; 403 means the bot is not in the roster or not installed.
  if (value?.isAxiosError === true) {
    const status = value.response?.status ?? value.status;
    if (status === 429) {
      const seconds = Number(value.response?.headers?.['retry-after']);
      return {
        kind: 'rate_limited',
        retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000,
      };
    }
    if (status === undefined || [412, 500, 502, 503, 504].includes(status)) {
      return { kind: 'transient', reason: `HTTP ${status ?? 'network error'}` };
    }
    return { kind: 'permanent', reason: `HTTP ${status}` };
  }
  return {
    kind: 'transient',
    reason: value?.code ?? (error instanceof Error ? error.name : 'unknown error'),
  };
}
