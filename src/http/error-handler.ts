import { DrizzleQueryError } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CasebridgeError, isCasebridgeError } from '../errors.ts';
import { sqlState } from '../store/db.ts';

/** Seconds a client should wait before retrying while the database is unavailable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Renders every error of the server as `{"error": {"code", "message", "details"?}}`. A
 * CasebridgeError keeps its status, fastify's client errors become PAYLOAD_TOO_LARGE or
 * PAYLOAD_INVALID, and any other error becomes a 500 with a generic message. Client errors are
 * logged at info, server errors at error; request bodies and headers are never logged.
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const known = toCasebridgeError(error, request);

  if (known === undefined) {
    request.log.error({ error: describeUnexpectedError(error) }, 'request failed');
    reply.status(500).send({
      error: {
        code: 'INTERNAL_ERROR',
        message: `Internal server error. The server log has the details under request id ${request.id}.`,
        details: { requestId: request.id },
      },
    });
    return;
  }

  const fields = { error: { code: known.code, status: known.status, message: known.message } };
  if (known.status >= 500) {
    request.log.error(fields, 'request failed');
  } else {
    request.log.info(fields, 'request rejected');
  }

  if (known.code === 'DATABASE_UNAVAILABLE') {
    reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
  }
  reply.status(known.status).send({ error: known.toJSON() });
}

/** Maps our errors and fastify's client errors (status 4xx) to a CasebridgeError. */
function toCasebridgeError(error: unknown, request: FastifyRequest): CasebridgeError | undefined {
  if (isCasebridgeError(error)) return error;

  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;

  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new CasebridgeError(
      'PAYLOAD_TOO_LARGE',
      `The request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes for this endpoint.`,
      { cause: error },
    );
  }
  // Fastify's own messages name the problem without quoting the body. Other parser errors, such
  // as a JSON syntax error, may quote it, so they get a fixed message.
  const message =
    typeof code === 'string' && code.startsWith('FST_')
      ? (error as Error).message
      : 'The request body could not be parsed.';
  return new CasebridgeError('PAYLOAD_INVALID', message, { cause: error });
}

/**
 * Describes an unexpected error for the log. Database errors lose their message, because
 * drizzle puts the query parameters there and those may be personal data.
 */
function describeUnexpectedError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };

  const state = sqlState(error);
  const isDatabaseError = state !== undefined || error instanceof DrizzleQueryError;
  const code = (error as { code?: unknown }).code;
  // The first lines of a stack repeat the message, which may span several lines.
  const frames = error.stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .join('\n');
  return {
    type: error.name,
    code: state ?? (typeof code === 'string' ? code : undefined),
    message: isDatabaseError ? '[database error message omitted]' : error.message,
    stack: frames,
  };
}
