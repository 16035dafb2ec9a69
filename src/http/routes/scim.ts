import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeError } from '../../describe-error.ts';
import {
  resourceTypes,
  schemaById,
  schemas,
  serviceProviderConfig,
} from '../../people/scim/discovery.ts';
import { ScimError } from '../../people/scim/scim-error.ts';
import type { ListQuery, ScimUsers } from '../../people/scim/scim-users.ts';

export interface ScimRouteOptions {
  users: ScimUsers;
  /** The bearer token clients must present (SCIM_TOKEN). */
  token: string;
}

export const SCIM_PREFIX = '/scim/v2';
const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
/** Room for a SCIM User with many attributes; the clients send one user per request. */
const BODY_LIMIT_BYTES = 256 * 1024;

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The SCIM 2.0 service provider (RFC 7643, RFC 7644) under `/scim/v2`: Users with the enterprise
 * and lifecycle extensions, and the discovery endpoints. Register it only when SCIM_TOKEN is set.
 * Its request log lines carry the route pattern, never the URL, because filters contain user names.
 */
export async function scimRoute(app: FastifyInstance, options: ScimRouteOptions): Promise<void> {
  const { users } = options;
  const tokenDigest = sha256(options.token);

  await app.register(
    async (scope) => {
      // Entra ID and Okta send application/scim+json, some clients application/json.
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser(
        ['application/scim+json', 'application/json'],
        { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
        (_request, body, done) => {
          try {
            done(null, body === '' ? undefined : JSON.parse(body as string));
          } catch {
            done(new ScimError(400, 'The request body is not valid JSON.', 'invalidSyntax'));
          }
        },
      );
      scope.addHook('onRequest', async (request) => authenticate(request, tokenDigest));
      scope.addHook('onSend', async (_request, reply, payload) => {
        reply.header('content-type', SCIM_CONTENT_TYPE);
        return payload;
      });
      scope.addHook('onResponse', async (request, reply) => {
        request.log.info(
          {
            method: request.method,
            route: request.routeOptions.url ?? 'unmatched',
            statusCode: reply.statusCode,
            durationMs: Math.round(reply.elapsedTime),
          },
          'scim request completed',
        );
      });
      scope.setErrorHandler((error, request, reply) => sendError(error, request, reply));
      scope.setNotFoundHandler((request, reply) =>
        sendError(
          new ScimError(
            404,
            `No SCIM endpoint ${request.method} ${request.routeOptions.url ?? 'at this path'}.`,
          ),
          request,
          reply,
        ),
      );

      scope.get('/ServiceProviderConfig', async (request) =>
        serviceProviderConfig(baseUrlOf(request)),
      );
      scope.get('/ResourceTypes', async (request) => resourceTypes(baseUrlOf(request)));
      scope.get('/Schemas', async (request) => schemas(baseUrlOf(request)));
      scope.get('/Schemas/:id', async (request) => {
        const { id } = request.params as { id: string };
        const schema = schemaById(baseUrlOf(request), id);
        if (schema === undefined) throw new ScimError(404, `No schema ${id}.`);
        return schema;
      });

      scope.get('/Users', async (request) =>
        users.list(request.query as ListQuery, baseUrlOf(request)),
      );
      scope.post('/Users', async (request, reply) => {
        const user = await users.create(request.body, baseUrlOf(request));
        const location = (user.meta as { location: string }).location;
        return reply.status(201).header('location', location).send(user);
      });
      scope.get('/Users/:id', async (request) => users.get(idOf(request), baseUrlOf(request)));
      scope.put('/Users/:id', async (request) =>
        users.replace(idOf(request), request.body, baseUrlOf(request)),
      );
      scope.patch('/Users/:id', async (request) =>
        users.patch(idOf(request), request.body, baseUrlOf(request)),
      );
      scope.delete('/Users/:id', async (request, reply) => {
        await users.remove(idOf(request));
        return reply.status(204).send();
      });
    },
    { prefix: SCIM_PREFIX },
  );
}

function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

/** The absolute URL of `/scim/v2` as the client reached it, for `Location` and `meta.location`. */
function baseUrlOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}${SCIM_PREFIX}`;
}

function authenticate(request: FastifyRequest, tokenDigest: Buffer): void {
  const header = request.headers.authorization ?? '';
  const separator = header.indexOf(' ');
  const scheme = separator === -1 ? header : header.slice(0, separator);
  const token = separator === -1 ? '' : header.slice(separator + 1).trim();
  // Comparing digests of equal length keeps the comparison constant-time whatever the token length.
  if (scheme.toLowerCase() === 'bearer' && timingSafeEqual(sha256(token), tokenDigest)) return;
  throw new ScimError(
    401,
    'Missing or wrong bearer token. Send Authorization: Bearer <SCIM_TOKEN>.',
  );
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  let scimError: ScimError;
  if (error instanceof ScimError) {
    scimError = error;
  } else {
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      // Fastify's client errors (body too large, unsupported media type) name no body content.
      scimError = new ScimError(
        statusCode,
        (error as Error).message,
        statusCode === 400 ? 'invalidSyntax' : undefined,
      );
    } else {
      request.log.error({ err: describeError(error) }, 'scim request failed');
      scimError = new ScimError(
        500,
        `Internal server error; the server log has request id ${request.id}.`,
      );
    }
  }
  if (scimError.status === 401) reply.header('www-authenticate', 'Bearer realm="casebridge-scim"');
  return reply.status(scimError.status).send(scimError.toBody());
}
