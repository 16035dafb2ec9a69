import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type Store, sqlState } from '../../store/db.ts';

/** How long `GET /readyz` waits for the database before it reports the server unavailable. */
export const READINESS_TIMEOUT_MS = 2000;

/**
 * `GET /readyz`: readiness. It pings the database on every request and returns 503 while the ping
 * fails. A failure is never cached, so the first successful ping makes the server ready again.
 */
export async function readyzRoute(
  app: FastifyInstance,
  options: { store: Pick<Store, 'ping'> },
): Promise<void> {
  const outage = trackOutage(app.log);

  app.get('/readyz', async (_request, reply) => {
    const reason = await pingDatabase(options.store);

    if (reason === undefined) {
      outage.recovered();
      return { status: 'ok' };
    }

    outage.failed(reason);
    return reply.status(503).send({ status: 'unavailable', reason });
  });
}

/** Returns undefined when the ping succeeds in time, or else the reason it failed. */
async function pingDatabase(store: Pick<Store, 'ping'>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), READINESS_TIMEOUT_MS);
  });

  try {
    const outcome = await Promise.race([store.ping().then(() => 'ok' as const), timeout]);
    return outcome === 'ok'
      ? undefined
      : `the database did not answer within ${READINESS_TIMEOUT_MS} ms`;
  } catch (error) {
    // Only the error code is reported, because probes are often reachable without authentication.
    const code = sqlState(error) ?? (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? `the database ping failed (${code})`
      : 'the database ping failed';
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Logs the start and the end of a database outage once each, instead of once per probe, and
 * counts the failed probes in between.
 */
function trackOutage(log: FastifyBaseLogger) {
  let failedProbes = 0;

  return {
    failed(reason: string) {
      failedProbes += 1;
      if (failedProbes === 1) log.warn({ reason }, 'readiness check failed: database unavailable');
    },
    recovered() {
      if (failedProbes > 0)
        log.info({ failedProbes }, 'readiness check passed: database available again');
      failedProbes = 0;
    },
  };
}
