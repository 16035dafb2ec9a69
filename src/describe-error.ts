import { DrizzleQueryError } from 'drizzle-orm';
import { isCasebridgeError } from './errors.ts';
import { sqlState } from './store/db.ts';

/**
 * Describes an error for the log without personal data: database errors lose their message,
 * because drizzle puts the query parameters there, and Slack Web API errors keep only their
 * code and Slack's error name.
 */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  if (isCasebridgeError(error))
    return { type: error.name, code: error.code, message: error.message };

  const state = sqlState(error);
  if (state !== undefined || error instanceof DrizzleQueryError) {
    return { type: error.name, code: state, message: '[database error message omitted]' };
  }

  const { code, data, retryAfter, statusCode } = error as {
    code?: unknown;
    data?: { error?: unknown };
    retryAfter?: unknown;
    statusCode?: unknown;
  };
  return {
    type: error.name,
    code: typeof code === 'string' ? code : undefined,
    slackError: typeof data?.error === 'string' ? data.error : undefined,
    retryAfter: typeof retryAfter === 'number' ? retryAfter : undefined,
    statusCode: typeof statusCode === 'number' ? statusCode : undefined,
    message: error.message,
  };
}
