import { type RefreshResult, refreshLifecycleWatchlists } from '../people/watchlists.ts';
import { type HrUpdateDeps, type HrUpdateResult, sendHrUpdates } from './send-hr-updates.ts';

export const WATCHLIST_JOB = 'watchlists';
/** Every 10 minutes: a window that ends at local midnight is recorded at most 10 minutes late. */
export const WATCHLIST_JOB_CRON = '*/10 * * * *';

/** Records lifecycle watchlist starts and ends, then sends HR updates to open cases. */
export async function runWatchlistJob(
  deps: HrUpdateDeps,
): Promise<{ watchlists: RefreshResult; hrUpdates: HrUpdateResult }> {
  const watchlists = await refreshLifecycleWatchlists(deps.db, deps.now(), deps.watch);
  const hrUpdates = await sendHrUpdates(deps);
  return { watchlists, hrUpdates };
}
