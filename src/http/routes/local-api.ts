import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CaseService } from '../../cases/case-service.ts';
import { type FeedName, feedNames } from '../../config.ts';
import { CasebridgeError } from '../../errors.ts';

export interface LocalApiOptions {
  service: CaseService;
  /** With a token, clients on other addresses may call the API with `Authorization: Bearer <token>`. */
  consoleToken: string | undefined;
}

const loopback = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const actBody = z.object({
  as: z.string().min(1),
  event: z.looseObject({ type: z.string().min(1) }),
  expectedState: z.string().optional(),
});

/**
 * Authorizes a local API request: any request from this machine, and with CONSOLE_TOKEN set, a
 * request from elsewhere that presents it. The API acts for whoever it names, so it must never be
 * open to the network without the token.
 */
export function assertLocal(request: FastifyRequest, token: string | undefined): void {
  if (loopback.has(request.ip)) return;
  const header = request.headers.authorization ?? '';
  if (token !== undefined && header.startsWith('Bearer ')) {
    const given = Buffer.from(header.slice('Bearer '.length));
    const expected = Buffer.from(token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
  }
  throw new CasebridgeError(
    'UNAUTHENTICATED',
    'The local API answers requests from this machine only, or with Authorization: Bearer <CONSOLE_TOKEN>.',
  );
}

/**
 * The local API under `/api`: what the CLI does with cases, for a CLI that finds the embedded
 * database held by this server, and for the console.
 */
export async function localApiRoute(app: FastifyInstance, options: LocalApiOptions): Promise<void> {
  const { service, consoleToken } = options;
  app.addHook('onRequest', async (request) => assertLocal(request, consoleToken));
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/api/cases', async (request) => {
    const { state } = request.query as { state?: string };
    return service.list(state);
  });

  app.get('/api/cases/:ref', async (request) =>
    service.show((request.params as { ref: string }).ref),
  );

  app.post('/api/cases/:ref/events', async (request) => {
    const parsed = actBody.safeParse(request.body);
    if (!parsed.success) {
      throw new CasebridgeError(
        'EVENT_INVALID',
        `Invalid request body: ${z.prettifyError(parsed.error)}`,
      );
    }
    const { ref } = request.params as { ref: string };
    return service.act(ref, parsed.data.as, parsed.data.event, parsed.data.expectedState);
  });

  app.post('/api/ingest/:feed', async (request) => {
    const { feed } = request.params as { feed: string };
    if (!feedNames.includes(feed as FeedName)) {
      throw new CasebridgeError(
        'FEED_UNKNOWN',
        `Unknown feed "${feed}"; use one of ${feedNames.join(', ')}.`,
      );
    }
    return service.ingest(
      feed as FeedName,
      typeof request.body === 'string' ? request.body : JSON.stringify(request.body),
    );
  });

  app.get('/api/audit/verify', async () => service.verifyAudit());
}
