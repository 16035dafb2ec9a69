/**
 * The catalogue of error codes. Each code has a fixed HTTP status and a user message that is
 * safe to show in chat or on a terminal; the internal message may carry ids for the logs.
 * docs/errors.md documents every code, and a test fails when one is missing there.
 */
export const errorCatalogue = {
  CONFIG_INVALID: { status: 500, userMessage: 'The configuration is invalid.' },
  USAGE_INVALID: { status: 400, userMessage: 'The command was called with invalid arguments.' },
  FEED_UNKNOWN: { status: 404, userMessage: 'No such feed.' },
  PAYLOAD_INVALID: { status: 400, userMessage: 'The payload is not valid.' },
  PAYLOAD_TOO_LARGE: { status: 413, userMessage: 'The payload is too large.' },
  UNAUTHENTICATED: { status: 401, userMessage: 'The request could not be authenticated.' },
  WEBHOOK_REPLAYED: { status: 409, userMessage: 'This webhook delivery was already processed.' },
  CASE_NOT_FOUND: { status: 404, userMessage: 'No such case.' },
  REVEAL_NOT_FOUND: {
    status: 404,
    userMessage: 'The case has no identity reveal request waiting for a decision.',
  },
  PERSON_NOT_FOUND: { status: 404, userMessage: 'That person is not in the directory.' },
  TRANSITION_NOT_ALLOWED: {
    status: 409,
    userMessage: 'That action is not possible in the case’s current state.',
  },
  NOT_AUTHORIZED: { status: 403, userMessage: 'You are not allowed to take that action.' },
  ALREADY_DECIDED: {
    status: 409,
    userMessage: 'Someone else acted on this case first.',
  },
  EVENT_INVALID: { status: 400, userMessage: 'The action is missing a required value.' },
  DATABASE_UNAVAILABLE: {
    status: 503,
    userMessage: 'The database is unavailable; try again in a moment.',
  },
  AUDIT_CHAIN_BROKEN: { status: 500, userMessage: 'The audit trail failed verification.' },
  ROUTE_NOT_FOUND: { status: 404, userMessage: 'No such route.' },
  INCYDR_AUTH_FAILED: { status: 502, userMessage: 'Incydr rejected the API client credentials.' },
  INCYDR_UNAVAILABLE: { status: 502, userMessage: 'The Incydr API could not be reached.' },
  INTERNAL_ERROR: { status: 500, userMessage: 'Something went wrong; the error was logged.' },
} as const satisfies Record<string, { status: number; userMessage: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An expected failure with a stable code, a message for logs and a message for people. */
export class CasebridgeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly userMessage: string;
  readonly details: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { userMessage?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CasebridgeError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.userMessage = options.userMessage ?? errorCatalogue[code].userMessage;
    this.details = options.details ?? {};
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    const body: { code: ErrorCode; message: string; details?: Record<string, unknown> } = {
      code: this.code,
      message:
        this.userMessage === errorCatalogue[this.code].userMessage
          ? this.message
          : this.userMessage,
    };
    if (Object.keys(this.details).length > 0) body.details = this.details;
    return body;
  }
}

export function isCasebridgeError(value: unknown): value is CasebridgeError {
  return value instanceof CasebridgeError;
}
