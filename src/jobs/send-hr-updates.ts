import { and, eq, isNotNull, ne } from 'drizzle-orm';
import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { CaseEvent } from '../../workflows/case-events.ts';
import type { CaseContext } from '../../workflows/index.ts';
import { applyCaseEvent } from '../cases/apply-case-event.ts';
import type { Logger } from '../log.ts';
import type { CaseNotifier } from '../outbox/case-notifier.ts';
import { localDaysUntil } from '../people/watch-windows.ts';
import type { WatchlistContext } from '../people/watchlists.ts';
import type { Db } from '../store/db.ts';
import { caseHrUpdates, cases, people } from '../store/schema.ts';

export interface HrUpdateDeps {
  db: Db;
  logger: Logger;
  notifier?: CaseNotifier | undefined;
  calendar?: BusinessCalendar | undefined;
  watch: WatchlistContext;
  now: () => Date;
}

export interface HrUpdateResult {
  sent: number;
  /** Updates the case policy rejected (recorded in the case's audit trail and logged), or for a case closed meanwhile. */
  skipped: number;
}

const hrSync = { kind: 'system', name: 'hr_sync' } as const;

type HrUpdateEvent = Extract<CaseEvent, { type: 'HR_UPDATE' }>;

/**
 * Turns HR changes into events on the subjects' open cases: a manager in the directory that differs
 * from the case's becomes HR_UPDATE manager_changed, and a last working day that has begun on the
 * subject's local calendar becomes HR_UPDATE departure. Each update is sent once per case, which
 * `case_hr_updates` records in the transaction of the event.
 */
export async function sendHrUpdates(deps: HrUpdateDeps): Promise<HrUpdateResult> {
  const now = deps.now();
  const rows = await deps.db
    .select({ caseId: cases.id, snapshot: cases.snapshot, person: people })
    .from(cases)
    .innerJoin(people, eq(people.id, cases.subjectPersonId))
    .where(and(ne(cases.state, 'closed'), isNotNull(cases.subjectPersonId)));

  const result: HrUpdateResult = { sent: 0, skipped: 0 };
  for (const row of rows) {
    const context = (row.snapshot as { context: CaseContext }).context;
    const updates: Array<{ key: string; event: HrUpdateEvent }> = [];
    const manager = row.person.managerEmail?.toLowerCase() ?? null;
    if (manager !== context.subject.managerEmail) {
      updates.push({
        key: manager ?? '',
        event: {
          type: 'HR_UPDATE',
          actor: hrSync,
          at: now.toISOString(),
          kind: 'manager_changed',
          managerEmail: manager,
        },
      });
    }
    const lastDay = row.person.lastWorkingDay;
    const zone = row.person.timeZone ?? deps.watch.defaultTimeZone;
    if (lastDay !== null && localDaysUntil(lastDay, now, zone) <= 0) {
      updates.push({
        key: lastDay,
        event: {
          type: 'HR_UPDATE',
          actor: hrSync,
          at: now.toISOString(),
          kind: 'departure',
          lastWorkingDay: lastDay,
        },
      });
    }

    for (const update of updates) {
      const outcome = await sendOnce(deps, row.caseId, update.key, update.event);
      if (outcome === 'sent') result.sent++;
      else if (outcome === 'skipped') result.skipped++;
    }
  }
  return result;
}

/** Sends one update in its own transaction, unless it was sent before. */
async function sendOnce(
  deps: HrUpdateDeps,
  caseId: string,
  key: string,
  event: HrUpdateEvent,
): Promise<'sent' | 'already_sent' | 'skipped'> {
  const log = deps.logger.child({ caseId, kind: event.kind });
  return deps.db.transaction(async (tx) => {
    const claimed = await tx
      .insert(caseHrUpdates)
      .values({ caseId, kind: event.kind, key, sentAt: new Date(event.at) })
      .onConflictDoNothing()
      .returning();
    if (claimed.length === 0) return 'already_sent';

    const [current] = await tx.select().from(cases).where(eq(cases.id, caseId)).for('update');
    if (current === undefined || current.state === 'closed') return 'skipped';
    const applied = await applyCaseEvent(tx, current, event, deps.notifier, deps.calendar);
    if (applied.status === 'refused') {
      // The refusal is in the case's audit trail, and the receipt stops a retry of the same update.
      log.warn({ code: applied.error.code }, 'HR update rejected by the case policy');
      return 'skipped';
    }
    if (applied.status === 'conflict') {
      // The row is locked, so the version cannot have moved; this is a bug, not a race.
      throw new Error(`case ${caseId} changed while the HR update was applied`);
    }
    log.info('HR update sent to case');
    return 'sent';
  });
}
