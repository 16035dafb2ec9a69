import { beforeAll, expect, it } from 'vitest';
import { loadDashboard } from '../../src/http/dashboard/load-dashboard.ts';
import { addToWatchlist } from '../../src/people/watchlists.ts';
import { people, seedExampleDirectory } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

describeStores('dashboard data', (current) => {
  const db = () => current().store.db;
  const now = new Date('2026-12-07T10:00:00Z');

  beforeAll(async () => {
    await seedExampleDirectory(db());
  });

  it('counts current watchlist members', async () => {
    const before = await loadDashboard(db(), now);
    expect(before.watchlists).toEqual([
      { name: 'departing', members: 0 },
      { name: 'new-hires', members: 0 },
    ]);

    await addToWatchlist(db(), {
      list: 'contractors',
      email: 'sam.ortiz@example.com',
      actorEmail: people.analyst,
      reason: 'Build server access',
      now,
    });
    const after = await loadDashboard(db(), now);
    expect(after.watchlists).toContainEqual({ name: 'contractors', members: 1 });
  });
});
