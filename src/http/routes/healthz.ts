import type { FastifyInstance } from 'fastify';

/** `GET /healthz`: liveness. It returns 200 while the process serves HTTP and checks nothing else. */
export async function healthzRoute(app: FastifyInstance): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
}
