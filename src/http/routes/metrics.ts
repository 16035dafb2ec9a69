import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.ts';

/** `GET /metrics`: the registry in the Prometheus text format. */
export async function metricsRoute(
  app: FastifyInstance,
  options: { metrics: Metrics },
): Promise<void> {
  const { registry } = options.metrics;

  app.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    reply.header('content-type', registry.contentType);
    return body;
  });
}
