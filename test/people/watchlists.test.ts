import { asc, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { isCasebridgeError } from '../../src/errors.ts';
import {
  addToWatchlist,
  listWatchlists,
  refreshLifecycleWatchlists,
  removeFromWatchlist,
  showWatchlist,
  WATCHLIST_STREAM,
} from '../../src/people/watchlists.ts';
import { auditEvents, people as peopleTable } from '../../src/store/schema.ts';
import { people, seedExampleDirectory } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const context = {
  settings: { departing: { daysAfterLastDay: 30 }, newHires: { days: 90 } },
  defaultTimeZone: 'UTC',
};

async function codeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return isCasebridgeError(error) ? error.code : String(error);
  }
}

describeStores('watchlists', (current) => {
  const db = () => current().store.db;
  const audit = () =>
    db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.stream, WATCHLIST_STREAM))
      .orderBy(asc(auditEvents.seq));

  beforeAll(async () => {
    await seedExampleDirectory(db());
    await db()
      .update(peopleTable)
      .set({
        noticeDate: '2026-12-01',
        lastWorkingDay: '2026-12-31',
        timeZone: 'America/New_York',
      })
      .where(eq(peopleTable.email, 'lee.chen@example.com'));
    await db()
      .update(peopleTable)
      .set({ hireDate: '2026-11-20', timeZone: 'Europe/Berlin' })
      .where(eq(peopleTable.email, 'sam.ortiz@example.com'));
  });

  it('refresh starts memberships on the local day', async () => {
    // 2026-12-01 04:59 UTC is still 2026-11-30 in New York.
    const early = await refreshLifecycleWatchlists(db(), new Date('2026-12-01T04:59:00Z'), context);
    expect(early).toEqual({ started: 1, ended: 0, changed: 0 });
    expect((await showWatchlist(db(), 'new-hires')).map((member) => member.email)).toEqual([
      'sam.ortiz@example.com',
    ]);
    expect(await showWatchlist(db(), 'departing')).toEqual([]);

    const started = await refreshLifecycleWatchlists(
      db(),
      new Date('2026-12-01T05:00:00Z'),
      context,
    );
    expect(started).toEqual({ started: 1, ended: 0, changed: 0 });
    const [lee] = await showWatchlist(db(), 'departing');
    expect(lee?.email).toBe('lee.chen@example.com');
    expect(lee?.startsAt).toBe('2026-12-01T05:00:00.000Z');
    // 30 days after 2026-12-31 is 2027-01-30; the window ends when 2027-01-31 starts in New York.
    expect(lee?.endsAt).toBe('2027-01-31T05:00:00.000Z');

    const again = await refreshLifecycleWatchlists(db(), new Date('2026-12-01T06:00:00Z'), context);
    expect(again).toEqual({ started: 0, ended: 0, changed: 0 });
  });

  it('refresh follows moved dates and ends windows', async () => {
    await db()
      .update(peopleTable)
      .set({ lastWorkingDay: '2026-12-20' })
      .where(eq(peopleTable.email, 'lee.chen@example.com'));
    const moved = await refreshLifecycleWatchlists(db(), new Date('2026-12-02T00:00:00Z'), context);
    expect(moved).toEqual({ started: 0, ended: 0, changed: 1 });

    // The new-hire window (90 days from 2026-11-20 in Berlin) ends at 2027-02-17 23:00 UTC.
    const ended = await refreshLifecycleWatchlists(db(), new Date('2027-02-18T00:00:00Z'), context);
    expect(ended).toEqual({ started: 0, ended: 2, changed: 0 });
    expect(await showWatchlist(db(), 'departing')).toEqual([]);

    const events = await audit();
    expect(events.map((event) => [event.type, (event.data as { list: string }).list])).toEqual([
      ['WATCHLIST_STARTED', 'new-hires'],
      ['WATCHLIST_STARTED', 'departing'],
      ['WATCHLIST_CHANGED', 'departing'],
      ['WATCHLIST_ENDED', 'new-hires'],
      ['WATCHLIST_ENDED', 'departing'],
    ]);
    expect(events.every((event) => (event.data as { cause: string }).cause === 'hr_record')).toBe(
      true,
    );
    const newHireEnd = events.find(
      (event) =>
        event.type === 'WATCHLIST_ENDED' && (event.data as { list: string }).list === 'new-hires',
    );
    expect((newHireEnd!.data as { endedAt: string }).endedAt).toBe('2027-02-17T23:00:00.000Z');
    expect(newHireEnd?.reason).toBe('window_ended');
  });

  it('security manages custom lists with audit', async () => {
    const now = new Date('2026-12-05T10:00:00Z');
    const change = {
      list: 'Contractors',
      email: 'sam.ortiz@example.com',
      actorEmail: people.analyst,
      reason: 'Access to the build servers.',
      now,
    };
    const added = await addToWatchlist(db(), change);
    expect(added).toMatchObject({ list: 'contractors', addedBy: people.analyst, cause: 'person' });
    expect(await codeOf(addToWatchlist(db(), change))).toBe('TRANSITION_NOT_ALLOWED');
    expect(await listWatchlists(db())).toContainEqual({
      list: 'contractors',
      kind: 'custom',
      members: 1,
    });

    await removeFromWatchlist(db(), { ...change, reason: 'Contract ended.' });
    expect(await codeOf(showWatchlist(db(), 'contractors'))).toBe('USAGE_INVALID');

    const events = (await audit()).filter((event) => event.actor === people.analyst);
    expect(events.map((event) => [event.type, event.reason])).toEqual([
      ['WATCHLIST_STARTED', 'Access to the build servers.'],
      ['WATCHLIST_ENDED', 'Contract ended.'],
    ]);
    expect((events[0]!.data as { cause: string }).cause).toBe('person');
  });

  it('custom list changes reject bad input', async () => {
    const change = {
      list: 'contractors',
      email: 'sam.ortiz@example.com',
      actorEmail: people.analyst,
      reason: 'Reason.',
      now: new Date(),
    };
    expect(await codeOf(addToWatchlist(db(), { ...change, actorEmail: people.hr }))).toBe(
      'NOT_AUTHORIZED',
    );
    expect(await codeOf(addToWatchlist(db(), { ...change, list: 'departing' }))).toBe(
      'USAGE_INVALID',
    );
    expect(await codeOf(addToWatchlist(db(), { ...change, list: 'no spaces' }))).toBe(
      'USAGE_INVALID',
    );
    expect(await codeOf(addToWatchlist(db(), { ...change, email: 'nobody@example.com' }))).toBe(
      'PERSON_NOT_FOUND',
    );
    expect(await codeOf(addToWatchlist(db(), { ...change, reason: '  ' }))).toBe('EVENT_INVALID');
    expect(await codeOf(removeFromWatchlist(db(), change))).toBe('PERSON_NOT_FOUND');
  });
});
