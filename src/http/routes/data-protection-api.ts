import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CasebridgeError } from '../../errors.ts';
import type { DataProtectionService } from '../../retention/data-protection-service.ts';
import { assertLocal } from './local-api.ts';

export interface DataProtectionApiOptions {
  service: DataProtectionService;
  consoleToken: string | undefined;
}

const retentionBody = z.strictObject({ asOf: z.string().optional() });
const exportBody = z.strictObject({ subject: z.string().min(1), as: z.string().min(1) });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Invalid request body: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}

/**
 * Retention and subject access under `/api`, for a CLI that finds the embedded database held by this
 * server. The same rule as the rest of the local API applies: this machine only, or the console token.
 */
export async function dataProtectionApiRoute(
  app: FastifyInstance,
  options: DataProtectionApiOptions,
): Promise<void> {
  const { service, consoleToken } = options;
  app.addHook('onRequest', async (request) => assertLocal(request, consoleToken));

  app.post('/api/retention/plan', async (request) =>
    service.planRetention(parseBody(retentionBody, request.body).asOf),
  );
  app.post('/api/retention/run', async (request) =>
    service.runRetention(parseBody(retentionBody, request.body).asOf),
  );
  app.post('/api/subjects/export', async (request) => {
    const body = parseBody(exportBody, request.body);
    return service.exportSubject(body.subject, body.as);
  });
}
