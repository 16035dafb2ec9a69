import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { WatchMembership } from '../../workflows/watch-rules.ts';
import { type AuditEntry, appendAuditEvents } from '../audit/append-audit-event.ts';
import { CasebridgeError } from '../errors.ts';
import type { Db, Executor } from '../store/db.ts';
import { people, roleGrants, watchlistMemberships } from '../store/schema.ts';
import {
  isLifecycleList,
  type LifecycleList,
  lifecycleWindows,
  localDaysUntil,
  type WatchlistSettings,
  windowContains,
} from './watch-windows.ts';

/** The audit stream of every watchlist change. */
export const WATCHLIST_STREAM = 'watchlists';

/** Settings of the watchlist windows: the configured window lengths and the policy's time zone. */
export interface WatchlistContext {
  settings: WatchlistSettings;
  /** The time zone of people who have none in the directory (`policy.timeZone`). */
  defaultTimeZone: string;
}

/** The configuration's defaults: departing until 30 days after the last working day, new hires for 90 days, UTC. */
export const defaultWatchlistContext: WatchlistContext = {
  settings: { departing: { daysAfterLastDay: 30 }, newHires: { days: 90 } },
  defaultTimeZone: 'UTC',
};

/** Builds the watchlist context from the configuration file's `watchlists` and `policy.timeZone`. */
export function watchlistContextFrom(file: {
  watchlists: WatchlistSettings;
  policy: { timeZone: string };
}): WatchlistContext {
  return { settings: file.watchlists, defaultTimeZone: file.policy.timeZone };
}

type PersonRow = typeof people.$inferSelect;
type MembershipRow = typeof watchlistMemberships.$inferSelect;

const customListName = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function lifecycleDates(person: PersonRow) {
  return {
    hireDate: person.hireDate,
    noticeDate: person.noticeDate,
    lastWorkingDay: person.lastWorkingDay,
    timeZone: person.timeZone,
    active: person.active,
  };
}

/**
 * Returns the current watchlist memberships of people for watch rules, by person id. Lifecycle
 * memberships are computed from the people rows at `now`, so a changed HR date counts before the
 * refresh job records it; custom memberships come from the table.
 */
export async function loadWatchMemberships(
  db: Executor,
  personIds: string[],
  now: Date,
  context: WatchlistContext,
): Promise<Map<string, WatchMembership[]>> {
  const result = new Map<string, WatchMembership[]>();
  if (personIds.length === 0) return result;
  const ids = [...new Set(personIds)];

  const rows = await db.select().from(people).where(inArray(people.id, ids));
  for (const person of rows) {
    const zone = person.timeZone ?? context.defaultTimeZone;
    const current = lifecycleWindows(lifecycleDates(person), context.settings, zone).filter(
      (window) => windowContains(window, now),
    );
    result.set(
      person.id,
      current.map((window) => ({
        list: window.list,
        daysToLastDay:
          window.list === 'departing' && person.lastWorkingDay !== null
            ? localDaysUntil(person.lastWorkingDay, now, zone)
            : null,
        daysSinceHire:
          window.list === 'new-hires' && person.hireDate !== null
            ? -localDaysUntil(person.hireDate, now, zone)
            : null,
      })),
    );
  }

  const custom = await db
    .select({ personId: watchlistMemberships.personId, list: watchlistMemberships.list })
    .from(watchlistMemberships)
    .where(
      and(
        inArray(watchlistMemberships.personId, ids),
        isNull(watchlistMemberships.endedAt),
        eq(watchlistMemberships.cause, 'person'),
      ),
    );
  for (const row of custom) {
    const list = result.get(row.personId) ?? [];
    list.push({ list: row.list, daysToLastDay: null, daysSinceHire: null });
    result.set(row.personId, list);
  }
  return result;
}

export interface RefreshResult {
  started: number;
  ended: number;
  changed: number;
}

/**
 * Records lifecycle memberships as the people rows define them at `now`: starts the ones whose window has
 * begun, ends the ones whose window has closed (at the window's end) or that an HR change removed
 * (at `now`), and moves the planned end when an HR date moved. Every change is one audit event on
 * the `watchlists` stream with cause `hr_record`, in one transaction.
 */
export async function refreshLifecycleWatchlists(
  db: Db,
  now: Date,
  context: WatchlistContext,
): Promise<RefreshResult> {
  return db.transaction(async (tx) => {
    // One refresh at a time, so that two replicas never start the same membership twice.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('watchlists:refresh', 0))`);

    const candidates = await tx
      .select()
      .from(people)
      .where(
        sql`${people.hireDate} is not null or ${people.noticeDate} is not null or ${people.lastWorkingDay} is not null`,
      );
    const current = await tx
      .select()
      .from(watchlistMemberships)
      .where(and(isNull(watchlistMemberships.endedAt), eq(watchlistMemberships.cause, 'hr_record')))
      .orderBy(asc(watchlistMemberships.startsAt), asc(watchlistMemberships.id));
    const byKey = new Map(current.map((row) => [`${row.list}|${row.personId}`, row]));

    const audit: AuditEntry[] = [];
    const result: RefreshResult = { started: 0, ended: 0, changed: 0 };
    const wanted = new Set<string>();

    for (const person of candidates) {
      const zone = person.timeZone ?? context.defaultTimeZone;
      for (const window of lifecycleWindows(lifecycleDates(person), context.settings, zone)) {
        if (!windowContains(window, now)) continue;
        const key = `${window.list}|${person.id}`;
        wanted.add(key);
        const existing = byKey.get(key);
        if (existing === undefined) {
          await tx.insert(watchlistMemberships).values({
            list: window.list,
            personId: person.id,
            cause: 'hr_record',
            startsAt: window.startsAt,
            endsAt: window.endsAt,
          });
          audit.push(lifecycleEntry('WATCHLIST_STARTED', window.list, person, now, window));
          result.started++;
        } else if ((existing.endsAt?.getTime() ?? null) !== (window.endsAt?.getTime() ?? null)) {
          await tx
            .update(watchlistMemberships)
            .set({ endsAt: window.endsAt })
            .where(eq(watchlistMemberships.id, existing.id));
          audit.push(lifecycleEntry('WATCHLIST_CHANGED', window.list, person, now, window));
          result.changed++;
        }
      }
    }

    const peopleById = new Map(candidates.map((person) => [person.id, person]));
    for (const [key, row] of byKey) {
      if (wanted.has(key)) continue;
      // A window that ran out ends at its planned end; one an HR change removed ends now.
      const expired = row.endsAt !== null && row.endsAt.getTime() <= now.getTime();
      const endedAt = expired ? row.endsAt! : now;
      const endReason = expired ? 'window_ended' : 'hr_record_changed';
      await tx
        .update(watchlistMemberships)
        .set({ endedAt, endedBy: 'system:watchlists', endReason })
        .where(eq(watchlistMemberships.id, row.id));
      audit.push({
        stream: WATCHLIST_STREAM,
        caseId: null,
        type: 'WATCHLIST_ENDED',
        outcome: 'accepted',
        actor: 'system:watchlists',
        actorRole: 'system',
        at: now,
        fromState: null,
        toState: null,
        reason: endReason,
        data: {
          list: row.list,
          personId: row.personId,
          email: peopleById.get(row.personId)?.email ?? null,
          cause: 'hr_record',
          endedAt: endedAt.toISOString(),
        },
      });
      result.ended++;
    }

    await appendAuditEvents(tx, audit);
    return result;
  });
}

function lifecycleEntry(
  type: 'WATCHLIST_STARTED' | 'WATCHLIST_CHANGED',
  list: LifecycleList,
  person: PersonRow,
  now: Date,
  window: { startsAt: Date; endsAt: Date | null },
): AuditEntry {
  return {
    stream: WATCHLIST_STREAM,
    caseId: null,
    type,
    outcome: 'accepted',
    actor: 'system:watchlists',
    actorRole: 'system',
    at: now,
    fromState: null,
    toState: null,
    reason: 'hr_record',
    data: {
      list,
      personId: person.id,
      email: person.email,
      cause: 'hr_record',
      hireDate: person.hireDate,
      noticeDate: person.noticeDate,
      lastWorkingDay: person.lastWorkingDay,
      timeZone: person.timeZone,
      startsAt: window.startsAt.toISOString(),
      endsAt: window.endsAt?.toISOString() ?? null,
    },
  };
}

export interface CustomListChange {
  list: string;
  email: string;
  /** The security member making the change. */
  actorEmail: string;
  reason: string;
  now: Date;
}

/**
 * Adds a person to a custom watchlist as a security member, with the reason, and audits it. The
 * lifecycle lists follow HR dates and cannot be edited.
 */
export async function addToWatchlist(db: Db, change: CustomListChange) {
  const list = checkCustomList(change.list);
  const reason = checkReason(change.reason);
  return db.transaction(async (tx) => {
    const actor = await requireSecurity(tx, change.actorEmail);
    const person = await requirePerson(tx, change.email);
    const [existing] = await currentCustomMembership(tx, list, person.id);
    if (existing !== undefined) {
      throw new CasebridgeError(
        'TRANSITION_NOT_ALLOWED',
        `${person.email} is already on the ${list} watchlist since ${existing.startsAt.toISOString()} (added by ${existing.addedBy}).`,
      );
    }
    const [row] = await tx
      .insert(watchlistMemberships)
      .values({
        list,
        personId: person.id,
        cause: 'person',
        startsAt: change.now,
        addedBy: actor,
        reason,
      })
      .returning();
    await appendAuditEvents(tx, [
      customEntry('WATCHLIST_STARTED', list, person, actor, reason, change.now),
    ]);
    return describeMembership(row!, person);
  });
}

/** Ends a person's membership of a custom watchlist as a security member, with the reason, and audits it. */
export async function removeFromWatchlist(db: Db, change: CustomListChange) {
  const list = checkCustomList(change.list);
  const reason = checkReason(change.reason);
  return db.transaction(async (tx) => {
    const actor = await requireSecurity(tx, change.actorEmail);
    const person = await requirePerson(tx, change.email);
    const [existing] = await currentCustomMembership(tx, list, person.id);
    if (existing === undefined) {
      throw new CasebridgeError(
        'PERSON_NOT_FOUND',
        `${person.email} is not on the ${list} watchlist; "casebridge watchlist show ${list}" lists its members.`,
      );
    }
    const [row] = await tx
      .update(watchlistMemberships)
      .set({ endedAt: change.now, endedBy: actor, endReason: reason })
      .where(eq(watchlistMemberships.id, existing.id))
      .returning();
    await appendAuditEvents(tx, [
      customEntry('WATCHLIST_ENDED', list, person, actor, reason, change.now),
    ]);
    return describeMembership(row!, person);
  });
}

export interface WatchlistSummary {
  list: string;
  kind: 'lifecycle' | 'custom';
  members: number;
}

/** Lists the lifecycle lists and every custom list with current members, with member counts. */
export async function listWatchlists(db: Executor): Promise<WatchlistSummary[]> {
  const rows = await db
    .select({ list: watchlistMemberships.list, members: sql<number>`count(*)::int` })
    .from(watchlistMemberships)
    .where(isNull(watchlistMemberships.endedAt))
    .groupBy(watchlistMemberships.list)
    .orderBy(asc(watchlistMemberships.list));
  const counts = new Map(rows.map((row) => [row.list, Number(row.members)]));
  const lists: WatchlistSummary[] = (['departing', 'new-hires'] as const).map((list) => ({
    list,
    kind: 'lifecycle',
    members: counts.get(list) ?? 0,
  }));
  for (const row of rows) {
    if (!isLifecycleList(row.list)) {
      lists.push({ list: row.list, kind: 'custom', members: Number(row.members) });
    }
  }
  return lists;
}

export interface MembershipView {
  list: string;
  email: string;
  name: string;
  cause: string;
  startsAt: string;
  endsAt: string | null;
  endedAt: string | null;
  addedBy: string | null;
  reason: string | null;
}

/** Lists the current members of a watchlist, oldest first. */
export async function showWatchlist(db: Executor, list: string): Promise<MembershipView[]> {
  const name = list.trim().toLowerCase();
  const rows = await db
    .select({ membership: watchlistMemberships, person: people })
    .from(watchlistMemberships)
    .innerJoin(people, eq(people.id, watchlistMemberships.personId))
    .where(and(eq(watchlistMemberships.list, name), isNull(watchlistMemberships.endedAt)))
    .orderBy(asc(watchlistMemberships.startsAt), asc(people.email));
  if (rows.length === 0 && !isLifecycleList(name)) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Watchlist ${name} has no members; "casebridge watchlist list" shows the lists.`,
    );
  }
  return rows.map((row) => describeMembership(row.membership, row.person));
}

function describeMembership(row: MembershipRow, person: PersonRow): MembershipView {
  return {
    list: row.list,
    email: person.email,
    name: person.name,
    cause: row.cause,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt?.toISOString() ?? null,
    endedAt: row.endedAt?.toISOString() ?? null,
    addedBy: row.addedBy,
    reason: row.reason,
  };
}

function customEntry(
  type: 'WATCHLIST_STARTED' | 'WATCHLIST_ENDED',
  list: string,
  person: PersonRow,
  actor: string,
  reason: string,
  now: Date,
): AuditEntry {
  return {
    stream: WATCHLIST_STREAM,
    caseId: null,
    type,
    outcome: 'accepted',
    actor,
    actorRole: 'security',
    at: now,
    fromState: null,
    toState: null,
    reason,
    data: { list, personId: person.id, email: person.email, cause: 'person' },
  };
}

function checkCustomList(given: string): string {
  const list = given.trim().toLowerCase();
  if (isLifecycleList(list)) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Watchlist ${list} follows HR dates (hire date, notice date, last working day) and cannot be edited; change the person's dates in the directory instead.`,
    );
  }
  if (!customListName.test(list)) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `Watchlist name "${given}" is invalid; use 1 to 63 lower-case letters, digits, "-" or "_", starting with a letter or digit.`,
    );
  }
  return list;
}

function checkReason(given: string): string {
  const reason = given.trim();
  if (reason.length === 0 || reason.length > 4000) {
    throw new CasebridgeError(
      'EVENT_INVALID',
      'A watchlist change needs a reason of 1 to 4000 characters; pass it with --reason.',
    );
  }
  return reason;
}

async function requireSecurity(tx: Executor, email: string): Promise<string> {
  const actor = email.trim().toLowerCase();
  const [grant] = await tx
    .select()
    .from(roleGrants)
    .where(and(eq(roleGrants.email, actor), eq(roleGrants.role, 'security')))
    .limit(1);
  if (grant === undefined) {
    throw new CasebridgeError(
      'NOT_AUTHORIZED',
      `${actor} cannot change custom watchlists: only a person with the security role may. An admin grants roles in the configuration file.`,
    );
  }
  return actor;
}

async function requirePerson(tx: Executor, email: string): Promise<PersonRow> {
  const address = email.trim().toLowerCase();
  const [person] = await tx.select().from(people).where(eq(people.email, address)).limit(1);
  if (person === undefined) {
    throw new CasebridgeError(
      'PERSON_NOT_FOUND',
      `${address} is not in the directory; add the person to the directory before watching them.`,
    );
  }
  return person;
}

function currentCustomMembership(tx: Executor, list: string, personId: string) {
  return tx
    .select()
    .from(watchlistMemberships)
    .where(
      and(
        eq(watchlistMemberships.list, list),
        eq(watchlistMemberships.personId, personId),
        isNull(watchlistMemberships.endedAt),
      ),
    )
    .limit(1)
    .for('update');
}
