import { readFileSync } from 'node:fs';
import type { FeedName } from '../../src/config.ts';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import type { ParseResult, Signal } from '../../src/feeds/signal.ts';

/** Reads a file under test/fixtures/feeds. */
export function readFixture(path: string): string {
  return readFileSync(new URL(`../fixtures/feeds/${path}`, import.meta.url), 'utf8');
}

/** Parses a fixture file with the named feed's parser. */
export function parseFixture(feed: FeedName, path: string): ParseResult {
  return parseFeed(feed, readFixture(path));
}

/** Drops the raw record and turns observedAt into an ISO string, for exact comparison. */
export function plain(signal: Signal): Omit<Signal, 'raw' | 'observedAt'> & { observedAt: string } {
  const { raw: _raw, observedAt, ...fields } = signal;
  return { ...fields, observedAt: observedAt.toISOString() };
}

/** Returns the accepted signals in plain form, failing when any record was rejected. */
export function acceptedSignals(result: ParseResult): ReturnType<typeof plain>[] {
  if (result.rejected.length > 0) {
    throw new Error(`expected no rejections, got ${JSON.stringify(result.rejected)}`);
  }
  return result.accepted.map((record) => plain(record.signal));
}
