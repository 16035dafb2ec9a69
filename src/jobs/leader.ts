import { sql } from 'drizzle-orm';
import type { Logger } from '../log.ts';
import { resultRows, type Store } from '../store/db.ts';

export type LeaderRun<T> = { ran: true; value: T } | { ran: false };

export interface LeaderLock {
  /**
   * Runs `body` when this replica holds the job's lock, and returns `{ ran: false }` without
   * running it when another run of the job holds the lock.
   */
  run<T>(job: string, body: () => Promise<T>): Promise<LeaderRun<T>>;
}

/**
 * Creates the lock that elects one replica per job run. On PostgreSQL, a transaction takes
 * `pg_try_advisory_xact_lock` on a key hashed from the job name and stays open while the body runs
 * on other pool connections. The lock ends with that transaction, also when the process dies.
 * PGlite serves one process per data directory through one connection, which the body needs, so
 * there the lock is only the in-process check that both backends apply first.
 *
 * NOTE: on PostgreSQL the run keeps one pool connection for the lock, so a pool of one connection
 * deadlocks the job body.
 */
export function createLeaderLock(deps: {
  store: Pick<Store, 'db' | 'kind'>;
  logger: Logger;
}): LeaderLock {
  const running = new Set<string>();

  return {
    async run<T>(job: string, body: () => Promise<T>): Promise<LeaderRun<T>> {
      if (running.has(job)) {
        deps.logger.debug({ job }, 'job run skipped because this process is already running it');
        return { ran: false };
      }
      running.add(job);
      try {
        if (deps.store.kind === 'pglite') return { ran: true, value: await body() };
        return await runWithAdvisoryLock(deps, job, body);
      } finally {
        running.delete(job);
      }
    },
  };
}

async function runWithAdvisoryLock<T>(
  deps: { store: Pick<Store, 'db'>; logger: Logger },
  job: string,
  body: () => Promise<T>,
): Promise<LeaderRun<T>> {
  return deps.store.db.transaction(async (tx) => {
    // The `job:` prefix keeps the key apart from the subject keys that intake hashes the same way.
    const result = await tx.execute(
      sql`select pg_try_advisory_xact_lock(hashtextextended(${`job:${job}`}, 0)) as locked`,
    );
    if (resultRows<{ locked?: unknown }>(result)[0]?.locked !== true) {
      deps.logger.debug({ job }, 'job run skipped because another replica holds its lock');
      return { ran: false } as const;
    }
    return { ran: true, value: await body() } as const;
  });
}
