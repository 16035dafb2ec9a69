import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.ts';
import { readFixture } from '../feeds/fixtures.ts';

const fileEventTemplate = (
  JSON.parse(readFixture('incydr/file-events-v2-search-endpoint-dropbox.json')) as {
    fileEvents: Array<Record<string, unknown>>;
  }
).fileEvents[0] as Record<string, unknown>;

const sessionTemplate = (
  JSON.parse(readFixture('incydr/sessions-v1-page.json')) as {
    items: Array<Record<string, unknown>>;
  }
).items[0] as Record<string, unknown>;

/** Builds file events from the corpus event, `spacingMs` apart in `event.inserted` from `firstInserted`. */
export function makeFileEvents(count: number, firstInserted: Date, spacingMs: number) {
  // A shallow copy is enough: only `@timestamp` and `event` differ, and nothing mutates the rest.
  return Array.from({ length: count }, (_, index) => {
    const inserted = new Date(firstInserted.getTime() + index * spacingMs).toISOString();
    return {
      ...fileEventTemplate,
      '@timestamp': inserted,
      event: {
        ...(fileEventTemplate.event as Record<string, unknown>),
        id: `evt-${String(index).padStart(6, '0')}`,
        inserted,
      },
    };
  });
}

/** Builds a session from the corpus session with its own id, actor and begin time. */
export function makeSession(sessionId: string, actorName: string, beginTime: Date) {
  const session = structuredClone(sessionTemplate);
  session.sessionId = sessionId;
  session.actorId = `actor-${actorName}`;
  session.actorName = actorName;
  session.beginTime = beginTime.getTime();
  session.endTime = beginTime.getTime() + 60_000;
  session.scores = [{ score: 60, severity: 3, sourceTimestamp: beginTime.getTime() }];
  return session;
}

/** Creates a logger whose JSON lines the test can read, and returns the raw text for secret checks. */
export function captureLogs(): {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  let buffer = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      buffer += String(chunk);
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination: destination as never });
  return {
    logger,
    text: () => buffer,
    lines: () =>
      buffer
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Returns the maximum number of calls that arrived within any `windowMs` span. */
export function maxCallsWithin(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    max = Math.max(max, last - first + 1);
  }
  return max;
}
