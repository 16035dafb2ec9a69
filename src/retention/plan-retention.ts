import { and, eq, lt, ne, notInArray, sql } from 'drizzle-orm';
import type { CaseOutcome } from '../../workflows/case-events.ts';
import { planFileEventDrop } from '../files/file-event-partitions.ts';
import type { Executor } from '../store/db.ts';
import { cases, people, signals } from '../store/schema.ts';
import {
  type RetentionConfig,
  retentionRuleFor,
  shortestRetentionDays,
} from './retention-policy.ts';

const DAY_MS = 86_400_000;

/** A closed case whose retention period has ended by the plan's date. */
export interface RetentionCandidate {
  caseId: string;
  key: string;
  closedAt: string;
  /** Whole days from closing to the plan's date. */
  ageDays: number;
  outcome: CaseOutcome | null;
  /** The subject's country from the directory, or null when unknown. */
  country: string | null;
  rule: string;
  retentionDays: number;
  /** `anonymise` when the next run anonymises the case, `held` while a legal hold is in place. */
  action: 'anonymise' | 'held';
}

export interface RetentionPlan {
  asOf: string;
  cases: RetentionCandidate[];
  /** Raw signal payloads the run deletes, or null when `signalsDays` is not configured. */
  signals: { receivedBefore: string; rawPayloads: number } | null;
  /**
   * The daily file-event partitions the run drops and the older rows it deletes from the default
   * partition, or null when `fileEventsDays` is not configured.
   */
  fileEvents: { observedBefore: string; partitions: string[]; defaultRows: number } | null;
}

/**
 * Lists what a retention run at `asOf` would do, and writes nothing. The plan has every closed, not
 * yet anonymised case whose retention period (chosen by `retentionRuleFor`) has ended, marked
 * `held` under legal hold, and the number of raw signal payloads past `signalsDays`.
 */
export async function planRetention(
  db: Executor,
  config: RetentionConfig,
  asOf: Date,
): Promise<RetentionPlan> {
  // No rule is shorter than the shortest period, so younger cases need not be read at all.
  const closedBefore = new Date(asOf.getTime() - shortestRetentionDays(config) * DAY_MS);
  const context = sql`${cases.snapshot} -> 'context'`;
  const rows = await db
    .select({
      caseId: cases.id,
      key: cases.key,
      closedAt: cases.closedAt,
      outcome: sql<CaseOutcome | null>`${context} ->> 'outcome'`,
      legalHold: sql<boolean>`coalesce((${context} ->> 'legalHold')::boolean, false)`,
      country: people.country,
    })
    .from(cases)
    .leftJoin(people, eq(people.id, cases.subjectPersonId))
    .where(
      and(
        eq(cases.state, 'closed'),
        lt(cases.closedAt, closedBefore),
        sql`not coalesce((${context} ->> 'anonymised')::boolean, false)`,
      ),
    )
    .orderBy(cases.closedAt);

  const candidates: RetentionCandidate[] = [];
  for (const row of rows) {
    if (row.closedAt === null) continue;
    const rule = retentionRuleFor(config, row.outcome, row.country);
    const ageDays = Math.floor((asOf.getTime() - row.closedAt.getTime()) / DAY_MS);
    if (ageDays < rule.days) continue;
    candidates.push({
      caseId: row.caseId,
      key: row.key,
      closedAt: row.closedAt.toISOString(),
      ageDays,
      outcome: row.outcome,
      country: row.country,
      rule: rule.rule,
      retentionDays: rule.days,
      action: row.legalHold ? 'held' : 'anonymise',
    });
  }

  // Anonymisation removes the raw payloads of its cases anyway, so they are not counted twice.
  const anonymised = candidates
    .filter((entry) => entry.action === 'anonymise')
    .map((entry) => entry.caseId);
  return {
    asOf: asOf.toISOString(),
    cases: candidates,
    signals:
      config.signalsDays === undefined
        ? null
        : await countExpiredRaw(db, asOf, config.signalsDays, anonymised),
    fileEvents:
      config.fileEventsDays === undefined
        ? null
        : await planFileEvents(db, fileEventCutoff(asOf, config.fileEventsDays)),
  };
}

/** Returns the time `days` before `asOf`; a run drops the file events of UTC days before its day. */
export function fileEventCutoff(asOf: Date, days: number): Date {
  return new Date(asOf.getTime() - days * DAY_MS);
}

async function planFileEvents(db: Executor, cutoff: Date): Promise<RetentionPlan['fileEvents']> {
  const drop = await planFileEventDrop(db, cutoff);
  return { observedBefore: cutoff.toISOString().slice(0, 10), ...drop };
}

/** Computes the cutoff of raw signal retention: signals received before it lose their raw payload. */
export function rawSignalCutoff(asOf: Date, signalsDays: number): Date {
  return new Date(asOf.getTime() - signalsDays * DAY_MS);
}

async function countExpiredRaw(
  db: Executor,
  asOf: Date,
  signalsDays: number,
  excludedCaseIds: string[],
): Promise<{ receivedBefore: string; rawPayloads: number }> {
  const cutoff = rawSignalCutoff(asOf, signalsDays);
  const excluded =
    excludedCaseIds.length === 0 ? undefined : notInArray(signals.caseId, excludedCaseIds);
  const [row] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(signals)
    .innerJoin(cases, eq(cases.id, signals.caseId))
    .where(and(expiredRawCondition(cutoff), excluded));
  return { receivedBefore: cutoff.toISOString(), rawPayloads: row?.count ?? 0 };
}

/**
 * Signals whose raw payload is past retention: received before `cutoff`, payload still present, and
 * their case closed and not under legal hold. Open cases keep their evidence whatever its age.
 * Needs `signals` joined with `cases`.
 */
export function expiredRawCondition(cutoff: Date) {
  return and(
    lt(signals.receivedAt, cutoff),
    ne(signals.raw, sql`'null'::jsonb`),
    eq(cases.state, 'closed'),
    sql`not coalesce((${cases.snapshot} -> 'context' ->> 'legalHold')::boolean, false)`,
  );
}
