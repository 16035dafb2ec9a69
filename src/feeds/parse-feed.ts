import type { FeedName } from '../config.ts';
import { exabeamParser } from './exabeam.ts';
import { type FeedParser, runFeedParser } from './feed-parser.ts';
import { incydrParser } from './incydr.ts';
import { purviewParser } from './purview.ts';
import { decodeInput } from './read-input.ts';
import type { ParseResult } from './signal.ts';
import { webhookParser } from './webhook.ts';

const parsers: Record<FeedName, FeedParser> = {
  incydr: incydrParser,
  exabeam: exabeamParser,
  purview: purviewParser,
  webhook: webhookParser,
};

/**
 * Parses a feed payload into normalised signals. `text` is one JSON object, a JSON array, a
 * vendor API page or NDJSON. Every record ends up accepted or rejected with its index and a
 * reason; the function does not throw on bad input.
 */
export function parseFeed(feed: FeedName, text: string): ParseResult {
  return runFeedParser(parsers[feed], decodeInput(text));
}
