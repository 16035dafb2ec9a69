import { decideWatchAction } from '../../workflows/watch-rules.ts';
import { deriveSignalFacts } from '../intake/signal-facts.ts';
import { loadWatchMemberships, type WatchlistContext } from '../people/watchlists.ts';
import type { WatchRulePreparer } from './file-event-unit.ts';

/**
 * Builds the watch rules of the file-event pipeline. Per batch, it loads the people's current
 * watchlist memberships once, in the batch's transaction. Per event, it derives the event's facts
 * and returns a label such as "departing: personal_cloud" when a matching rule's action is `open`.
 * Rules that only raise or annotate open no case for a raw file event, because intake applies
 * them to the case the event joins, if any.
 */
export function fileWatchRule(context: WatchlistContext): WatchRulePreparer {
  return async (tx, personIds, now) => {
    const memberships = await loadWatchMemberships(tx, personIds, now, context);
    return ({ event, personId }) => {
      const current = personId === null ? undefined : memberships.get(personId);
      if (current === undefined || current.length === 0) return null;
      const decision = decideWatchAction(deriveSignalFacts(event.signal), current);
      if (decision.action !== 'open' || decision.reason === null) return null;
      const list = decision.reason.list;
      const facts = decision.matches
        .filter((match) => match.list === list && match.action === 'open')
        .map((match) => match.fact);
      return `${list}: ${[...new Set(facts)].sort().join(', ')}`;
    };
  };
}
