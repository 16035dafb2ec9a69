import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/db.ts';
import { describeStores, openTestStore, testBackends } from '../support/stores.ts';
import { fakeIngestFeed, startServer, type TestServer } from './start-server.ts';

const env = { FEED_SECRET_WEBHOOK: 'probe-test-token' };

/** Wraps a real store so that its ping can be switched to fail or to hang. */
function switchableStore(store: Store) {
  let mode: 'up' | 'down' | 'hanging' = 'up';
  const switchable: Store = {
    ...store,
    async ping() {
      if (mode === 'down')
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      if (mode === 'hanging') return new Promise<void>(() => {});
      return store.ping();
    },
  };
  return {
    store: switchable,
    set(next: typeof mode) {
      mode = next;
    },
  };
}

describeStores('GET /readyz', (current) => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reports ready while the database answers', async () => {
    server = await startServer({
      env,
      store: current().store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });

    const response = await fetch(`${server.url}/readyz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('recovers when the database returns', async () => {
    const switchable = switchableStore(current().store);
    server = await startServer({
      env,
      store: switchable.store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });

    switchable.set('down');
    const down = await fetch(`${server.url}/readyz`);
    const downAgain = await fetch(`${server.url}/readyz`);
    switchable.set('up');
    const up = await fetch(`${server.url}/readyz`);

    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'unavailable',
      reason: 'the database ping failed (ECONNREFUSED)',
    });
    expect(downAgain.status).toBe(503);
    expect(up.status).toBe(200);
    const outageLines = server.logLines.filter((line) => line.msg.startsWith('readiness check'));
    expect(outageLines.map((line) => [line.level, line.msg])).toEqual([
      [40, 'readiness check failed: database unavailable'],
      [30, 'readiness check passed: database available again'],
    ]);
    expect(outageLines[1]?.failedProbes).toBe(2);
  });

  it('times out a database that does not answer', async () => {
    const switchable = switchableStore(current().store);
    server = await startServer({
      env,
      store: switchable.store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });
    switchable.set('hanging');
    const started = Date.now();

    const response = await fetch(`${server.url}/readyz`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'unavailable',
      reason: 'the database did not answer within 2000 ms',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });
});

describe.each(testBackends())('GET /readyz after store.close() [%s]', (backend) => {
  it('reports unavailable', async () => {
    const handle = await openTestStore(backend);
    const server = await startServer({
      env,
      store: handle.store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });
    let closed = false;

    try {
      const before = await fetch(`${server.url}/readyz`);
      await handle.store.close();
      closed = true;
      const after = await fetch(`${server.url}/readyz`);

      expect(before.status).toBe(200);
      expect(after.status).toBe(503);
      expect(((await after.json()) as { status: string }).status).toBe('unavailable');
    } finally {
      await server.close();
      // PGlite refuses a second close; on PostgreSQL drop() also removes the test database.
      if (backend === 'postgres' || !closed) await handle.drop();
    }
  });
});

describe('GET /healthz and /metrics', () => {
  let server: TestServer;
  let dropStore: () => Promise<void>;

  afterEach(async () => {
    await server.close();
    await dropStore();
  });

  it('serves liveness and metrics', async () => {
    const handle = await openTestStore('pglite');
    dropStore = handle.drop;
    server = await startServer({
      env,
      store: handle.store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });
    server.metrics.signalsIngested.inc({ feed: 'incydr', result: 'created' });
    server.metrics.caseTransitions.inc({ event: 'ESCALATE', outcome: 'applied' });
    await fetch(`${server.url}/feeds/webhook`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
      body: '{}',
    });

    const health = await fetch(`${server.url}/healthz`);
    const metrics = await fetch(`${server.url}/metrics`);
    const text = await metrics.text();

    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('casebridge_signals_ingested_total{feed="incydr",result="created"} 1');
    expect(text).toContain(
      'casebridge_case_transitions_total{event="ESCALATE",outcome="applied"} 1',
    );
    expect(text).toContain('casebridge_feed_requests_total{feed="webhook",status="401"} 1');
    expect(text).toContain(
      'casebridge_http_request_duration_seconds_count{method="POST",route="/feeds/:feed",status_code="401"} 1',
    );
    expect(text).toContain(
      'casebridge_http_request_duration_seconds_count{method="GET",route="/healthz",status_code="200"} 1',
    );
    expect(text).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(text).toContain('# TYPE nodejs_eventloop_lag_seconds gauge');
  });

  it('leaves probes out of the request log', async () => {
    const handle = await openTestStore('pglite');
    dropStore = handle.drop;
    server = await startServer({
      env,
      store: handle.store,
      ingestFeed: fakeIngestFeed().ingestFeed,
    });

    await fetch(`${server.url}/healthz`);
    await fetch(`${server.url}/readyz`);
    await fetch(`${server.url}/metrics`);
    await fetch(`${server.url}/feeds/webhook`, { method: 'POST', body: '{}' });

    const completed = server.logLines.filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.res).toEqual({ statusCode: 401 });
  });
});
