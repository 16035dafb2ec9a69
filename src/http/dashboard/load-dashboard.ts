import { quantile } from 'd3-array';
import { and, asc, eq, isNotNull, ne, sql } from 'drizzle-orm';
import { type CaseState, caseStates } from '../../../workflows/case-events.ts';
import { listWatchlists } from '../../people/watchlists.ts';
import type { Db } from '../../store/db.ts';
import { auditEvents, cases, timers } from '../../store/schema.ts';

/** Age buckets of open cases, in days since the case was opened. */
export const ageBuckets = [
  { label: 'under 1 day', maxDays: 1 },
  { label: '1–3 days', maxDays: 3 },
  { label: '3–7 days', maxDays: 7 },
  { label: 'over 7 days', maxDays: Number.POSITIVE_INFINITY },
] as const;

export interface DashboardData {
  /** Open cases per state, split by age bucket (same order as `ageBuckets`). */
  openByState: Array<{ state: CaseState; byAge: number[] }>;
  /** Completed stays per state, in hours. */
  timeInState: Array<{ state: CaseState; stays: number; medianHours: number; p90Hours: number }>;
  /** Closed cases per week (Monday, UTC) and outcome. */
  outcomesByWeek: Array<{ week: string; outcomes: Record<string, number> }>;
  /** SLA escalations that fired, per state. */
  breachesByState: Array<{ state: string; count: number }>;
  /** Current members per watchlist. */
  watchlists: Array<{ name: string; members: number }>;
}

const dayMs = 24 * 60 * 60 * 1000;

/** Loads the figures of the dashboard, read-only. */
export async function loadDashboard(db: Db, now: Date): Promise<DashboardData> {
  return {
    openByState: await loadOpenByState(db, now),
    timeInState: await loadTimeInState(db),
    outcomesByWeek: await loadOutcomesByWeek(db),
    breachesByState: await loadBreaches(db),
    watchlists: await loadWatchlists(db),
  };
}

async function loadOpenByState(db: Db, now: Date): Promise<DashboardData['openByState']> {
  const rows = await db
    .select({ state: cases.state, openedAt: cases.openedAt })
    .from(cases)
    .where(ne(cases.state, 'closed'));
  return caseStates
    .filter((state) => state !== 'closed')
    .map((state) => {
      const byAge = ageBuckets.map(() => 0);
      for (const row of rows.filter((candidate) => candidate.state === state)) {
        const days = (now.getTime() - row.openedAt.getTime()) / dayMs;
        const bucket = ageBuckets.findIndex((candidate) => days < candidate.maxDays);
        byAge[bucket] = (byAge[bucket] ?? 0) + 1;
      }
      return { state, byAge };
    });
}

/**
 * Measures each completed stay in a state from the audit trail: a stay starts with the event that
 * entered the state and ends with the next event of the case that left it. Stays still open are
 * left out, because their length is not known yet.
 */
async function loadTimeInState(db: Db): Promise<DashboardData['timeInState']> {
  const rows = await db
    .select({
      caseId: auditEvents.caseId,
      fromState: auditEvents.fromState,
      toState: auditEvents.toState,
      at: auditEvents.at,
    })
    .from(auditEvents)
    .where(
      and(
        isNotNull(auditEvents.caseId),
        isNotNull(auditEvents.toState),
        eq(auditEvents.outcome, 'accepted'),
      ),
    )
    .orderBy(asc(auditEvents.caseId), asc(auditEvents.seq));

  const stays = new Map<string, number[]>();
  const entered = new Map<string, { state: string; at: Date }>();
  for (const row of rows) {
    if (row.caseId === null || row.toState === null || row.fromState === row.toState) continue;
    const open = entered.get(row.caseId);
    if (open !== undefined) {
      const hours = (row.at.getTime() - open.at.getTime()) / 3_600_000;
      stays.set(open.state, [...(stays.get(open.state) ?? []), hours]);
    }
    entered.set(row.caseId, { state: row.toState, at: row.at });
  }

  return caseStates
    .filter((state) => state !== 'closed')
    .map((state) => {
      const hours = (stays.get(state) ?? []).sort((a, b) => a - b);
      return {
        state,
        stays: hours.length,
        medianHours: quantile(hours, 0.5) ?? 0,
        p90Hours: quantile(hours, 0.9) ?? 0,
      };
    });
}

/** Returns the Monday (UTC) of a date's week as YYYY-MM-DD. */
export function weekOf(date: Date): string {
  const monday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return monday.toISOString().slice(0, 10);
}

async function loadOutcomesByWeek(db: Db): Promise<DashboardData['outcomesByWeek']> {
  const rows = await db
    .select({ closedAt: cases.closedAt, snapshot: cases.snapshot })
    .from(cases)
    .where(and(eq(cases.state, 'closed'), isNotNull(cases.closedAt)));
  const weeks = new Map<string, Record<string, number>>();
  for (const row of rows) {
    if (row.closedAt === null) continue;
    const outcome =
      (row.snapshot as { context?: { outcome?: string | null } }).context?.outcome ?? 'unknown';
    const week = weekOf(row.closedAt);
    const counts = weeks.get(week) ?? {};
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    weeks.set(week, counts);
  }
  return [...weeks]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([week, outcomes]) => ({ week, outcomes }));
}

async function loadBreaches(db: Db): Promise<DashboardData['breachesByState']> {
  const rows = await db
    .select({ state: timers.state, count: sql<number>`count(*)::int` })
    .from(timers)
    .where(and(eq(timers.kind, 'escalate'), isNotNull(timers.firedAt)))
    .groupBy(timers.state);
  return caseStates
    .filter((state) => state !== 'closed')
    .map((state) => ({
      state,
      count: Number(rows.find((row) => row.state === state)?.count ?? 0),
    }));
}

/** Counts the current members of each watchlist, lifecycle lists first, as `watchlist list` does. */
async function loadWatchlists(db: Db): Promise<DashboardData['watchlists']> {
  const lists = await listWatchlists(db);
  return lists.map((summary) => ({ name: summary.list, members: summary.members }));
}
