import { and, asc, eq, inArray, lte, notInArray, sql } from 'drizzle-orm';
import {
  type BusinessCalendar,
  defaultBusinessCalendar,
} from '../../workflows/business-calendar.ts';
import type { CaseEvent, CaseState } from '../../workflows/case-events.ts';
import { applyEvent } from '../../workflows/index.ts';
import { applyCaseEvents } from '../cases/apply-case-event.ts';
import { describeError } from '../describe-error.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import type { Db, Tx } from '../store/db.ts';
import { cases, timers } from '../store/schema.ts';

export interface FireDueTimersDeps {
  db: Db;
  logger: Logger;
  /** Writes the chat notice of each fired timer; none without a chat platform. */
  notifier?: CaseNotifier | undefined;
  /** Working hours in which reminders and escalations may be sent, by default UTC, Monday to Friday, 09:00 to 17:00. */
  calendar?: BusinessCalendar | undefined;
  now?: () => Date;
}

export interface FireDueTimersResult {
  /** Timers whose SLA_REMIND or SLA_ESCALATE event was applied. */
  fired: number;
  /** Timers of a state the case had left; no event was sent for them. */
  cancelled: number;
  /** Timers whose transaction failed. They stay pending for the next run. */
  failed: number;
  /** Timers left pending because another transaction held their case. */
  deferred: number;
  /** Timers due outside working hours, left pending with `due_at` moved to the next working period. */
  postponed: number;
}

type TimerRow = typeof timers.$inferSelect;
type CaseRow = typeof cases.$inferSelect;
type TimerOutcome = 'fired' | 'cancelled' | 'deferred' | 'postponed';

const scheduler = { kind: 'system', name: 'scheduler' } as const;

/** Timers claimed per transaction. Larger batches save round trips but hold more case locks. */
const defaultBatchSize = 100;

/**
 * Fires up to `limit` due SLA timers, oldest due time first, in batches of `batchSize` per
 * transaction. The batch is claimed with `FOR UPDATE SKIP LOCKED` and its cases are locked, also
 * skipping rows that others hold. The SLA events go through `applyCaseEvents`, which writes the
 * case rows, the audit events and the chat notices, and the timers are marked done in the same
 * transaction. A timer is claimed only while pending and leaves that status in the transaction
 * that fires it, so it fires at most once however many schedulers share the database. When a batch
 * fails, its timers are retried one per transaction, so that one bad timer cannot hold back others.
 */
export async function fireDueTimers(
  deps: FireDueTimersDeps,
  options: { limit: number; batchSize?: number },
): Promise<FireDueTimersResult> {
  const now = deps.now ?? (() => new Date());
  const calendar = deps.calendar ?? defaultBusinessCalendar;
  const batchSize = Math.max(1, options.batchSize ?? defaultBatchSize);
  const dueBy = now();
  const result: FireDueTimersResult = {
    fired: 0,
    cancelled: 0,
    failed: 0,
    deferred: 0,
    postponed: 0,
  };
  // Timers that failed or were deferred in this run. Claiming them again would loop on them.
  const passed: string[] = [];
  // After a failed batch, this many timers are claimed one at a time to find the failing one.
  let isolating = 0;

  while (handledCount(result) < options.limit) {
    const size = Math.min(isolating > 0 ? 1 : batchSize, options.limit - handledCount(result));
    // Set inside the transaction, so that a failure can still name the timers it was about.
    const attempt: { claimed: TimerRow[] } = { claimed: [] };
    try {
      const outcomes = await deps.db.transaction(async (tx) => {
        attempt.claimed = await claimDueTimers(tx, dueBy, passed, size);
        if (attempt.claimed.length === 0) return null;
        return fireTimers(tx, attempt.claimed, now(), calendar, deps.notifier);
      });
      if (outcomes === null) break;
      for (const timer of attempt.claimed) {
        const outcome = outcomes.get(timer.id)!;
        result[outcome]++;
        logOutcome(deps.logger, timer, outcome);
        if (outcome === 'deferred') passed.push(timer.id);
      }
      if (isolating > 0) isolating--;
    } catch (error) {
      // A failure before any timer was claimed concerns the database, not one timer, so the run stops.
      const claimed = attempt.claimed;
      if (claimed.length === 0) throw error;
      if (claimed.length > 1) {
        deps.logger.warn(
          { err: describeError(error), timers: claimed.length },
          'SLA timer batch failed; retrying its timers one per transaction',
        );
        isolating = claimed.length;
        continue;
      }
      const timer = claimed[0]!;
      result.failed++;
      passed.push(timer.id);
      if (isolating > 0) isolating--;
      deps.logger.error(
        { err: describeError(error), timerId: timer.id, caseId: timer.caseId, kind: timer.kind },
        'SLA timer failed and stays pending for the next run',
      );
    }
  }

  return result;
}

function handledCount(result: FireDueTimersResult): number {
  return result.fired + result.cancelled + result.failed + result.deferred + result.postponed;
}

/** Claims the pending timers with the earliest due times, skipping rows other transactions hold. */
async function claimDueTimers(
  tx: Tx,
  dueBy: Date,
  passed: string[],
  limit: number,
): Promise<TimerRow[]> {
  const conditions = [eq(timers.status, 'pending'), lte(timers.dueAt, dueBy)];
  if (passed.length > 0) conditions.push(notInArray(timers.id, passed));
  return tx
    .select()
    .from(timers)
    .where(and(...conditions))
    .orderBy(asc(timers.dueAt), asc(timers.id))
    .limit(limit)
    .for('update', { skipLocked: true });
}

/**
 * Sends each timer's SLA event to its case and closes the timer. Outside working hours the timers
 * are postponed instead: `due_at` moves to the start of the next working period and they stay
 * pending, so that no reminder or escalation is sent outside working hours. The case locks skip
 * rows that another transaction holds instead of waiting for them. A person's transition locks the
 * case and then the case's timers, so waiting here while holding the timers could deadlock with it.
 * Two timers of one case are applied in due order, each to the case as the previous one left it.
 */
async function fireTimers(
  tx: Tx,
  claimed: TimerRow[],
  at: Date,
  calendar: BusinessCalendar,
  notifier: CaseNotifier | undefined,
): Promise<Map<string, TimerOutcome>> {
  const caseIds = [...new Set(claimed.map((timer) => timer.caseId))];
  const locked = await tx
    .select()
    .from(cases)
    .where(inArray(cases.id, caseIds))
    .for('update', { skipLocked: true });
  const latest = new Map<string, CaseRow>(locked.map((row) => [row.id, row]));
  const next = calendar.nextBusinessMoment(at);
  const withinHours = next.getTime() === at.getTime();
  const outcomes = new Map<string, TimerOutcome>();

  for (const round of roundsByCase(claimed)) {
    const items: Array<{ timer: TimerRow; current: CaseRow; event: CaseEvent }> = [];
    for (const timer of round) {
      const current = latest.get(timer.caseId);
      // The foreign key guarantees the case exists, so no row means another transaction holds it.
      if (current === undefined) {
        outcomes.set(timer.id, 'deferred');
        continue;
      }
      const event = slaEvent(timer, at);
      // A case that left the timer's state refuses the event. That is the timer's expected end,
      // not an attempt by anyone, so it is not audited.
      if (!applyEvent(current.snapshot, event).ok) outcomes.set(timer.id, 'cancelled');
      else if (!withinHours) outcomes.set(timer.id, 'postponed');
      else items.push({ timer, current, event });
    }

    const applied = await applyCaseEvents(tx, items, notifier, calendar);
    applied.forEach((outcome, index) => {
      const { timer, event } = items[index]!;
      // The case rows are locked, so neither a refusal nor a version conflict can happen here.
      if (outcome.status !== 'applied') {
        throw new Error(`${event.type} was not applied to the locked case: ${outcome.status}`);
      }
      latest.set(timer.caseId, outcome.caseRow);
      outcomes.set(timer.id, 'fired');
    });
  }

  await closeTimers(tx, claimed, outcomes, at, next);
  return outcomes;
}

function slaEvent(timer: TimerRow, at: Date): CaseEvent {
  return {
    type: timer.kind === 'escalate' ? 'SLA_ESCALATE' : 'SLA_REMIND',
    actor: scheduler,
    at: at.toISOString(),
    state: timer.state as CaseState,
    step: timer.step,
  };
}

/** Splits timers into rounds holding at most one timer per case, keeping each case's order. */
function roundsByCase(claimed: TimerRow[]): TimerRow[][] {
  const rounds: TimerRow[][] = [];
  const seen = new Map<string, number>();
  for (const timer of claimed) {
    const round = seen.get(timer.caseId) ?? 0;
    seen.set(timer.caseId, round + 1);
    if (rounds[round] === undefined) rounds[round] = [];
    rounds[round].push(timer);
  }
  return rounds;
}

/** Writes every claimed timer's outcome in one statement; deferred timers stay as they are. */
async function closeTimers(
  tx: Tx,
  claimed: TimerRow[],
  outcomes: Map<string, TimerOutcome>,
  at: Date,
  next: Date,
): Promise<void> {
  const values = claimed.flatMap((timer) => {
    const outcome = outcomes.get(timer.id);
    if (outcome === 'fired')
      return [
        sql`(${timer.id}::uuid, 'done', ${at.toISOString()}::timestamptz, ${timer.dueAt.toISOString()}::timestamptz)`,
      ];
    if (outcome === 'cancelled')
      return [
        sql`(${timer.id}::uuid, 'cancelled', null::timestamptz, ${timer.dueAt.toISOString()}::timestamptz)`,
      ];
    if (outcome === 'postponed')
      return [
        sql`(${timer.id}::uuid, 'pending', null::timestamptz, ${next.toISOString()}::timestamptz)`,
      ];
    return [];
  });
  if (values.length === 0) return;
  await tx.execute(sql`
    update timers as t set status = v.status, fired_at = v.fired_at, due_at = v.due_at
    from (values ${sql.join(values, sql`, `)}) as v(id, status, fired_at, due_at)
    where t.id = v.id`);
}

function logOutcome(logger: Logger, timer: TimerRow, outcome: TimerOutcome): void {
  const fields = { timerId: timer.id, caseId: timer.caseId, kind: timer.kind, state: timer.state };
  if (outcome === 'fired') logger.info(fields, 'SLA timer fired');
  else if (outcome === 'cancelled')
    logger.info(fields, 'SLA timer cancelled because the case left its state');
  else if (outcome === 'postponed')
    logger.info(fields, 'SLA timer postponed to the next working period');
  else logger.debug(fields, 'SLA timer deferred because another transaction locked its case');
}
