import { inArray, sql } from 'drizzle-orm';
import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { CaseEvent, CaseState } from '../../workflows/case-events.ts';
import { applyEvent, type CaseContext, MACHINE_VERSION } from '../../workflows/index.ts';
import {
  type AuditEntry,
  appendAuditEvent,
  appendAuditEvents,
} from '../audit/append-audit-event.ts';
import { CasebridgeError } from '../errors.ts';
import type { CaseChange, CaseNotifier } from '../outbox/case-notifier.ts';
import { type Executor, resultRows } from '../store/db.ts';
import { cases } from '../store/schema.ts';
import { acceptedEntry, refusedEntry } from './case-audit-entry.ts';
import type { CaseRow } from './load-case.ts';
import { type StateEntry, scheduleStateTimers } from './schedule-state-timers.ts';

export type ApplyResult =
  | { status: 'applied'; caseRow: CaseRow; fromState: CaseState; toState: CaseState }
  | { status: 'refused'; error: CasebridgeError }
  /** Another transaction changed the case after it was loaded; nothing was written. */
  | { status: 'conflict' };

/** An event for a case as loaded; see applyCaseEvents. */
export interface CaseEventItem {
  current: CaseRow;
  event: CaseEvent;
}

/**
 * The one path that changes a case: computes the machine's next snapshot, then writes the case
 * row (checked against the version that was loaded), one audit event, the new state's timers and
 * the chat messages that announce the change, in the caller's transaction. A refused event writes
 * only its audit event.
 */
export async function applyCaseEvent(
  tx: Executor,
  current: CaseRow,
  event: CaseEvent,
  notifier?: CaseNotifier,
  calendar?: BusinessCalendar,
): Promise<ApplyResult> {
  const [result] = await applyCaseEvents(tx, [{ current, event }], notifier, calendar);
  return result!;
}

/**
 * Applies one event to each of several distinct cases with a fixed number of statements, as
 * `applyCaseEvent` does for one; results are in the order of `items`. A scheduler firing hundreds
 * of timers pays a few round trips per batch instead of several per timer.
 */
export async function applyCaseEvents(
  tx: Executor,
  items: CaseEventItem[],
  notifier?: CaseNotifier,
  calendar?: BusinessCalendar,
): Promise<ApplyResult[]> {
  assertDistinctCases(items);
  const results: ApplyResult[] = new Array(items.length);
  const refusals: AuditEntry[] = [];
  const accepted: Array<{ index: number; next: MachineStep; fromState: CaseState; at: Date }> = [];

  items.forEach(({ current, event }, index) => {
    const fromState = current.state as CaseState;
    const result = applyEvent(current.snapshot, event);
    if (result.ok) {
      accepted.push({ index, next: result, fromState, at: new Date(event.at) });
      return;
    }
    const error = new CasebridgeError(result.refusal.code, result.refusal.message, {
      userMessage: result.refusal.message,
      details: { case: current.key, state: fromState, event: event.type },
    });
    const context = (current.snapshot as { context: CaseContext }).context;
    refusals.push(refusedEntry(current.id, event, context, current.state, error));
    results[index] = { status: 'refused', error };
  });

  const updated = await writeCaseRows(
    tx,
    accepted.map(({ index, next, fromState, at }) => ({
      current: items[index]!.current,
      next,
      closedAt: closedAtAfter(items[index]!.current, fromState, next.state, at),
      at,
    })),
  );

  const audit: AuditEntry[] = [...refusals];
  const entered: StateEntry[] = [];
  const changes: CaseChange[] = [];
  for (const { index, next, fromState, at } of accepted) {
    const { current, event } = items[index]!;
    const caseRow = updated.get(current.id);
    if (caseRow === undefined) {
      results[index] = { status: 'conflict' };
      continue;
    }
    const context = (current.snapshot as { context: CaseContext }).context;
    const toState = next.state;
    audit.push(acceptedEntry(current.id, event, context, fromState, toState));
    if (toState !== fromState) entered.push({ caseId: current.id, state: toState, enteredAt: at });
    changes.push({
      caseId: current.id,
      fromState,
      toState,
      event,
      before: context,
      after: next.context,
    });
    results[index] = { status: 'applied', caseRow, fromState, toState };
  }

  await appendAuditEvents(tx, audit);
  await scheduleStateTimers(tx, entered, calendar);
  await notifier?.enqueue(tx, changes);
  return results;
}

type MachineStep = Extract<ReturnType<typeof applyEvent>, { ok: true }>;

function assertDistinctCases(items: CaseEventItem[]): void {
  const ids = new Set(items.map((item) => item.current.id));
  if (ids.size !== items.length) {
    throw new Error(
      'applyCaseEvents takes at most one event per case; apply later ones in a later call',
    );
  }
}

/**
 * Writes the next snapshot of each case in one statement, each row only if its version is still
 * the one that was loaded, and returns the rows written by case id. A case missing from the result
 * was changed by another transaction in between.
 */
async function writeCaseRows(
  tx: Executor,
  writes: Array<{ current: CaseRow; next: MachineStep; closedAt: Date | null; at: Date }>,
): Promise<Map<string, CaseRow>> {
  if (writes.length === 0) return new Map();
  const values = writes.map(
    ({ current, next, closedAt, at }) =>
      sql`(${current.id}::uuid, ${current.version}::int, ${JSON.stringify(next.snapshot)}::jsonb, ${next.state}, ${next.context.priority}, ${closedAt?.toISOString() ?? null}::timestamptz, ${at.toISOString()}::timestamptz)`,
  );
  const written = await tx.execute(sql`
    update cases as c
    set snapshot = v.snapshot, state = v.state, priority = v.priority,
      machine_version = ${MACHINE_VERSION}, version = c.version + 1,
      closed_at = v.closed_at, updated_at = v.updated_at
    from (values ${sql.join(values, sql`, `)}) as v(id, version, snapshot, state, priority, closed_at, updated_at)
    where c.id = v.id and c.version = v.version
    returning c.id`);
  const ids = resultRows<{ id: string }>(written).map((row) => row.id);
  if (ids.length === 0) return new Map();
  const rows = await tx.select().from(cases).where(inArray(cases.id, ids));
  return new Map(rows.map((row) => [row.id, row]));
}

/** Writes the audit event of a refused attempt: who tried what, and why it was refused. */
export async function recordRefusal(
  tx: Executor,
  current: CaseRow,
  event: CaseEvent,
  error: CasebridgeError,
): Promise<void> {
  const context = (current.snapshot as { context: CaseContext }).context;
  await appendAuditEvent(tx, refusedEntry(current.id, event, context, current.state, error));
}

/** A closed case keeps the time it closed; a case that closes now takes the event's time. */
function closedAtAfter(
  current: CaseRow,
  fromState: CaseState,
  toState: CaseState,
  at: Date,
): Date | null {
  if (toState !== 'closed') return null;
  if (fromState === 'closed') return current.closedAt;
  return at;
}
