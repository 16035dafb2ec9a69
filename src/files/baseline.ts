/**
 * Robust baselines of daily file activity. Every figure is a daily total of one subject, or of a
 * department per head, for one file category and destination category. docs/files.md gives the
 * definitions with a worked example.
 */

/** The scale that makes the MAD of normally distributed data estimate its standard deviation. */
export const MAD_SCALE = 1.4826;

/** Returns the median of `values`; 0 for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Returns the median absolute deviation from the median (unscaled). */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const center = median(values);
  return median(values.map((value) => Math.abs(value - center)));
}

export interface BaselineStats {
  median: number;
  mad: number;
  /** The number of days the statistics cover. */
  days: number;
}

export function describeSeries(values: readonly number[]): BaselineStats {
  return { median: median(values), mad: medianAbsoluteDeviation(values), days: values.length };
}

export interface AnomalySettings {
  /** The factor from which a day counts as an anomaly. */
  anomalyFactor: number;
  /** How many scaled MADs above the median a day must also lie. */
  robustZ: number;
  /** The smallest median the factor divides by. */
  floor: number;
}

export interface Anomaly {
  /** The day's value divided by the baseline median (at least `floor`). */
  factor: number;
  /** True when the factor reaches the threshold and the value lies above the MAD band. */
  anomalous: boolean;
}

/**
 * Scores a day's value against a baseline: factor = value / max(median, floor), anomalous when
 * factor ≥ anomalyFactor and value > median + robustZ × 1.4826 × MAD.
 */
export function scoreValue(
  value: number,
  stats: BaselineStats,
  settings: AnomalySettings,
): Anomaly {
  const factor = value / Math.max(stats.median, settings.floor);
  const band = stats.median + settings.robustZ * MAD_SCALE * stats.mad;
  return { factor, anomalous: factor >= settings.anomalyFactor && value > band };
}

/** Computed windows by day and length; inputs span few distinct days. */
const windows = new Map<string, readonly string[]>();

/** Lists the UTC days (`YYYY-MM-DD`) from `days` before `day` up to the day before it. */
export function windowDays(day: string, days: number): readonly string[] {
  const key = `${day}/${days}`;
  const known = windows.get(key);
  if (known !== undefined) return known;
  const end = Date.parse(`${day}T00:00:00Z`);
  const result: string[] = [];
  for (let offset = days; offset >= 1; offset--) {
    result.push(new Date(end - offset * 86_400_000).toISOString().slice(0, 10));
  }
  if (windows.size >= 10_000) windows.clear();
  windows.set(key, result);
  return result;
}

/** Returns the UTC day of a time as `YYYY-MM-DD`. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** Counts the whole days from `from` to `to`, both `YYYY-MM-DD`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface SubjectHistory {
  /** The subject's daily totals in the window, by day; days without a row count as 0. */
  byDay: ReadonlyMap<string, { events: number; bytes: number }>;
  /** The first day in the window with any activity of the subject, in any category. */
  firstActiveDay: string | null;
  /** The person's hire date, or null when unknown. */
  hireDate: string | null;
}

export interface DepartmentHistory {
  /** The department's daily totals in the window, by day. */
  byDay: ReadonlyMap<string, { events: number; bytes: number }>;
  /** Active people in the department; the per-head series divides by it. */
  headcount: number;
}

export interface BaselineSettings {
  days: number;
  minHistoryDays: number;
  newHireDays: number;
}

export type BaselineChoice =
  | { kind: 'person'; events: BaselineStats; bytes: BaselineStats }
  | {
      kind: 'department';
      events: BaselineStats;
      bytes: BaselineStats;
      reason: 'new-hire' | 'short-history';
    }
  | { kind: 'none'; reason: 'new-hire' | 'short-history' };

/**
 * Chooses the baseline for a subject's day. The person's own series covers the window's days
 * from their first activity in it. New hires (hired fewer than `newHireDays` days before the
 * day) and people with fewer than `minHistoryDays` such days get the department's per-head
 * series instead. Without a department there is no baseline.
 */
export function chooseBaseline(
  day: string,
  subject: SubjectHistory,
  department: DepartmentHistory | null,
  settings: BaselineSettings,
): BaselineChoice {
  const window = windowDays(day, settings.days);
  const newHire =
    subject.hireDate !== null && daysBetween(subject.hireDate, day) < settings.newHireDays;
  const observed =
    subject.firstActiveDay === null ? [] : window.filter((d) => d >= subject.firstActiveDay!);

  if (!newHire && observed.length >= settings.minHistoryDays) {
    return {
      kind: 'person',
      events: describeSeries(observed.map((d) => subject.byDay.get(d)?.events ?? 0)),
      bytes: describeSeries(observed.map((d) => subject.byDay.get(d)?.bytes ?? 0)),
    };
  }

  const reason = newHire ? 'new-hire' : 'short-history';
  if (department === null || department.headcount <= 0) return { kind: 'none', reason };
  const perHead = (d: string, metric: 'events' | 'bytes') =>
    (department.byDay.get(d)?.[metric] ?? 0) / department.headcount;
  return {
    kind: 'department',
    reason,
    events: describeSeries(window.map((d) => perHead(d, 'events'))),
    bytes: describeSeries(window.map((d) => perHead(d, 'bytes'))),
  };
}
