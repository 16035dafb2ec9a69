import type { CaseState, Priority, Role } from '../../workflows/case-events.ts';
import { type Locale, t } from './messages/index.ts';
import { priorityLabel, roleLabel, stateLabel } from './messages/labels.ts';

/** One case waiting on a role, as the daily digest lists it. It carries no subject. */
export interface DigestRow {
  key: string;
  state: CaseState;
  priority: Priority;
  /** Time the case entered its current state. */
  stateEnteredAt: Date;
  /** Due time of the state's escalation timer, or null when the state has none. */
  escalateDueAt: Date | null;
}

/** The maximum number of cases one digest lists. A last line counts the rest. */
export const digestLineLimit = 50;

const HOUR_MS = 3_600_000;

/** Waiting times shorter than this are shown in hours, longer ones in whole days. */
const hoursShownBelow = 48;

/**
 * Builds the daily digest text of one role: a heading with the number of waiting cases, then one
 * line per case, oldest first, with its key, state, priority, wall-clock time since it entered the
 * state and an overdue mark once its escalation timer is due. Returns null when nothing waits, so
 * that the job posts nothing rather than an empty digest.
 */
export function buildDigest(
  rows: readonly DigestRow[],
  role: Role,
  locale: Locale,
  now: Date,
): string | null {
  if (rows.length === 0) return null;

  const sorted = [...rows].sort(
    (a, b) => a.stateEnteredAt.getTime() - b.stateEnteredAt.getTime() || a.key.localeCompare(b.key),
  );
  const roleName = roleLabel(locale, role);
  const heading =
    sorted.length === 1
      ? t(locale, 'digest.headingOne', { role: roleName })
      : t(locale, 'digest.heading', { role: roleName, count: sorted.length });

  const lines = sorted.slice(0, digestLineLimit).map((row) => digestLine(row, locale, now));
  if (sorted.length > digestLineLimit) {
    lines.push(t(locale, 'digest.more', { count: sorted.length - digestLineLimit }));
  }
  return [heading, ...lines].join('\n');
}

function digestLine(row: DigestRow, locale: Locale, now: Date): string {
  const waitedHours = Math.max(0, (now.getTime() - row.stateEnteredAt.getTime()) / HOUR_MS);
  const params = {
    key: row.key,
    state: stateLabel(locale, row.state),
    priority: priorityLabel(locale, row.priority),
    waiting: formatWaiting(waitedHours, locale),
  };
  const overdue = row.escalateDueAt !== null && row.escalateDueAt.getTime() <= now.getTime();
  return overdue ? t(locale, 'digest.lineOverdue', params) : t(locale, 'digest.line', params);
}

function formatWaiting(hours: number, locale: Locale): string {
  if (hours < hoursShownBelow) return t(locale, 'digest.hours', { count: Math.floor(hours) });
  return t(locale, 'digest.days', { count: Math.floor(hours / 24) });
}
