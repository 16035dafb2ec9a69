import { and, asc, eq, lte, notInArray } from 'drizzle-orm';
import {
  type BusinessCalendar,
  defaultBusinessCalendar,
} from '../../workflows/business-calendar.ts';
import type { CaseEvent, CaseState } from '../../workflows/case-events.ts';
import { applyEvent } from '../../workflows/index.ts';
import { applyCaseEvent } from '../cases/apply-case-event.ts';
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
type TimerOutcome = 'fired' | 'cancelled' | 'deferred' | 'postponed';

const scheduler = { kind: 'system', name: 'scheduler' } as const;

/**
 * Fires up to `limit` due SLA timers, oldest due time first, each in its own transaction. The
 * timer is claimed with `FOR UPDATE SKIP LOCKED` and its case is locked. The SLA event goes through
 * `applyCaseEvent`, which writes the case row, the audit event and the chat notice, and the timer
 * is marked done. A timer is claimed only while pending and leaves that status in the transaction
 * that fires it, so it fires at most once however many schedulers share the database.
 */
export async function fireDueTimers(
  deps: FireDueTimersDeps,
  options: { limit: number },
): Promise<FireDueTimersResult> {
  const now = deps.now ?? (() => new Date());
  const calendar = deps.calendar ?? defaultBusinessCalendar;
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

  while (handledCount(result) < options.limit) {
    // Set inside the transaction, so that a failure can still name the timer it was about.
    const attempt: { timer: TimerRow | null } = { timer: null };
    try {
      const outcome = await deps.db.transaction(async (tx) => {
        attempt.timer = await claimDueTimer(tx, dueBy, passed);
        if (attempt.timer === null) return null;
        return fireTimer(tx, attempt.timer, now(), calendar, deps.notifier);
      });
      if (outcome === null || attempt.timer === null) break;
      result[outcome]++;
      logOutcome(deps.logger, attempt.timer, outcome);
      if (outcome === 'deferred') passed.push(attempt.timer.id);
    } catch (error) {
      // A failure before any timer was claimed concerns the database, not one timer, so the run stops.
      const timer = attempt.timer;
      if (timer === null) throw error;
      result.failed++;
      passed.push(timer.id);
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

/** Claims the pending timer with the earliest due time, skipping rows other transactions hold. */
async function claimDueTimer(tx: Tx, dueBy: Date, passed: string[]): Promise<TimerRow | null> {
  const conditions = [eq(timers.status, 'pending'), lte(timers.dueAt, dueBy)];
  if (passed.length > 0) conditions.push(notInArray(timers.id, passed));
  const [timer] = await tx
    .select()
    .from(timers)
    .where(and(...conditions))
    .orderBy(asc(timers.dueAt), asc(timers.id))
    .limit(1)
    .for('update', { skipLocked: true });
  return timer ?? null;
}

/**
 * Sends the timer's SLA event to its case and closes the timer. Outside working hours the timer
 * is postponed instead: its `due_at` moves to the start of the next working period and it stays
 * pending, so that no reminder or escalation is sent outside working hours. The case lock skips a
 * row that another transaction holds instead of waiting for it. A person's transition locks the case and
 * then the case's timers, so waiting here while holding the timer could deadlock with it.
 */
async function fireTimer(
  tx: Tx,
  timer: TimerRow,
  at: Date,
  calendar: BusinessCalendar,
  notifier: CaseNotifier | undefined,
): Promise<TimerOutcome> {
  const [current] = await tx
    .select()
    .from(cases)
    .where(eq(cases.id, timer.caseId))
    .for('update', { skipLocked: true });
  // The foreign key guarantees the case exists, so no row means another transaction holds it.
  if (current === undefined) return 'deferred';

  const event: CaseEvent = {
    type: timer.kind === 'escalate' ? 'SLA_ESCALATE' : 'SLA_REMIND',
    actor: scheduler,
    at: at.toISOString(),
    state: timer.state as CaseState,
  };

  // A case that left the timer's state refuses the event. That is the timer's expected end,
  // not an attempt by anyone, so it is not audited.
  if (!applyEvent(current.snapshot, event).ok) {
    await closeTimer(tx, timer.id, 'cancelled', null);
    return 'cancelled';
  }

  const next = calendar.nextBusinessMoment(at);
  if (next.getTime() !== at.getTime()) {
    await tx.update(timers).set({ dueAt: next }).where(eq(timers.id, timer.id));
    return 'postponed';
  }

  const applied = await applyCaseEvent(tx, current, event, notifier);
  if (applied.status !== 'applied') {
    // The case row is locked, so neither a refusal nor a version conflict can happen here.
    throw new Error(`${event.type} was not applied to the locked case: ${applied.status}`);
  }
  await closeTimer(tx, timer.id, 'done', at);
  return 'fired';
}

async function closeTimer(
  tx: Tx,
  timerId: string,
  status: 'done' | 'cancelled',
  firedAt: Date | null,
): Promise<void> {
  await tx.update(timers).set({ status, firedAt }).where(eq(timers.id, timerId));
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
