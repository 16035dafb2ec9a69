import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CaseService } from '../../cases/case-service.ts';
import { CasebridgeError } from '../../errors.ts';

const identityBody = z.strictObject({ as: z.string().min(1), reason: z.string().min(1) });
const revealBody = z.strictObject({
  action: z.enum(['request', 'approve', 'reject']),
  as: z.string().min(1),
  reason: z.string().optional(),
});
const rotateBody = z.strictObject({ as: z.string().min(1) });

/** Validates a JSON request body; an invalid one is an EVENT_INVALID error naming the problem. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new CasebridgeError(
      'EVENT_INVALID',
      `Invalid request body: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/**
 * The local API's privacy routes, which the CLI calls when a running server has the embedded
 * database: an audited identity view, the reveal steps, and the pseudonym key rotation. They sit
 * behind the local API's loopback-or-token check.
 */
export function registerPrivacyRoutes(app: FastifyInstance, service: CaseService): void {
  app.post('/api/cases/:ref/identity', async (request) => {
    const { ref } = request.params as { ref: string };
    return service.show(ref, parseBody(identityBody, request.body));
  });

  app.post('/api/cases/:ref/reveal', async (request) => {
    const { ref } = request.params as { ref: string };
    return service.reveal(ref, parseBody(revealBody, request.body));
  });

  app.post('/api/pseudonyms/rotate', async (request) =>
    service.rotatePseudonymKey(parseBody(rotateBody, request.body).as),
  );
}
