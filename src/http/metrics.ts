import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics of one process. `GET /metrics` exposes `registry`. */
export interface Metrics {
  registry: Registry;
  /** Signals handled by intake, by feed and result (created, grouped, duplicate, rejected). */
  signalsIngested: Counter<'feed' | 'result'>;
  /** Requests to `POST /feeds/<feed>`, by feed and HTTP status; unknown feeds count as `unknown`. */
  feedRequests: Counter<'feed' | 'status'>;
  /** Case machine events, by event type and outcome; the use cases choose the outcome values. */
  caseTransitions: Counter<'event' | 'outcome'>;
  /** HTTP request duration in seconds, by method, route template and status. */
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

/**
 * Creates a registry with the Casebridge metrics and the prom-client default process metrics
 * (CPU, memory, event loop lag, garbage collection). Each call returns an independent registry.
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  return {
    registry,
    signalsIngested: new Counter({
      name: 'casebridge_signals_ingested_total',
      help: 'Signals handled by intake, by feed and result.',
      labelNames: ['feed', 'result'],
      registers: [registry],
    }),
    feedRequests: new Counter({
      name: 'casebridge_feed_requests_total',
      help: 'Requests to the feed webhook endpoints, by feed and HTTP status code.',
      labelNames: ['feed', 'status'],
      registers: [registry],
    }),
    caseTransitions: new Counter({
      name: 'casebridge_case_transitions_total',
      help: 'Events sent to the case machine, by event type and outcome.',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'casebridge_http_request_duration_seconds',
      help: 'Duration of HTTP requests in seconds, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
  };
}
