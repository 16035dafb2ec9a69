import { type IntakeDeps, ingestFeed } from '../intake/ingest-feed.ts';
import type { PageHandler } from './stream-run.ts';

/**
 * Returns a page handler that puts each record on a case through the Incydr feed parser, as
 * `casebridge ingest --feed incydr` does, and returns intake's counts.
 */
export function ingestIncydrPage(intake: IntakeDeps): PageHandler {
  return async (page) => {
    const key = page.stream === 'sessions' ? 'items' : 'fileEvents';
    const summary = await ingestFeed(intake, {
      feed: 'incydr',
      text: JSON.stringify({ [key]: page.records }),
      atomic: false,
    });
    return {
      created: summary.created,
      grouped: summary.grouped,
      duplicates: summary.duplicates,
      rejected: summary.rejected.length,
    };
  };
}
