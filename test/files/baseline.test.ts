import { describe, expect, it } from 'vitest';
import {
  chooseBaseline,
  describeSeries,
  MAD_SCALE,
  median,
  medianAbsoluteDeviation,
  scoreValue,
  windowDays,
} from '../../src/files/baseline.ts';

const settings = { days: 10, minHistoryDays: 5, newHireDays: 30 };
const day = '2026-03-11';

/** Daily totals keyed by day, from a list of [day offset before `day`, events, bytes]. */
function series(entries: Array<[number, number, number]>) {
  const byDay = new Map<string, { events: number; bytes: number }>();
  for (const [offset, events, bytes] of entries) {
    const date = new Date(Date.parse(`${day}T00:00:00Z`) - offset * 86_400_000);
    byDay.set(date.toISOString().slice(0, 10), { events, bytes });
  }
  return byDay;
}

describe('baseline math', () => {
  it('computes median and MAD by hand', () => {
    // Sorted: 1 2 2 3 4 100 → median (2+3)/2 = 2.5; deviations 1.5 .5 .5 .5 1.5 97.5 → MAD 1.
    expect(median([3, 1, 2, 100, 4, 2])).toBe(2.5);
    expect(medianAbsoluteDeviation([3, 1, 2, 100, 4, 2])).toBe(1);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([])).toBe(0);
  });

  it('ignores one outlier day', () => {
    // Sorted 8 10 10 10 12 500 → median 10; deviations 0 0 0 2 2 490 → MAD (0+2)/2 = 1.
    const stats = describeSeries([10, 10, 12, 8, 10, 500]);
    expect(stats.median).toBe(10);
    expect(stats.mad).toBe(1);
  });

  it('scores factor and MAD band', () => {
    const stats = { median: 10, mad: 2, days: 10 };
    const settingsZ = { anomalyFactor: 5, robustZ: 3, floor: 1 };
    expect(scoreValue(90, stats, settingsZ)).toEqual({ factor: 9, anomalous: true });
    expect(scoreValue(40, stats, settingsZ)).toEqual({ factor: 4, anomalous: false });
    // The band: 10 + 3 × 1.4826 × 20 = 98.956; 99 is above it, 98 is not.
    const wide = { median: 10, mad: 20, days: 10 };
    expect(10 + 3 * MAD_SCALE * 20).toBeCloseTo(98.956, 3);
    expect(scoreValue(99, wide, settingsZ).anomalous).toBe(true);
    expect(scoreValue(98, wide, settingsZ).anomalous).toBe(false);
    // A median below the floor divides by the floor.
    expect(scoreValue(6, { median: 0, mad: 0, days: 10 }, settingsZ).factor).toBe(6);
  });

  it('lists the window days before the day', () => {
    expect(windowDays('2026-03-01', 3)).toEqual(['2026-02-26', '2026-02-27', '2026-02-28']);
  });

  it("uses the person's history from their first active day", () => {
    // Active from 6 days before: days -6..-1 are the series; -5 and -3 have no rows and count 0.
    const byDay = series([
      [6, 4, 400],
      [4, 2, 200],
      [2, 6, 600],
      [1, 4, 400],
    ]);
    const choice = chooseBaseline(
      day,
      { byDay, firstActiveDay: '2026-03-05', hireDate: '2020-01-01' },
      null,
      settings,
    );
    expect(choice.kind).toBe('person');
    if (choice.kind !== 'person') return;
    // Events 4 0 2 0 6 4 → sorted 0 0 2 4 4 6 → median 3; deviations 3 3 1 1 1 3 → MAD 2.
    expect(choice.events).toEqual({ median: 3, mad: 2, days: 6 });
    expect(choice.bytes.median).toBe(300);
  });

  it('falls back to the department for a new hire', () => {
    const department = {
      byDay: series([
        [1, 30, 3000],
        [2, 10, 1000],
      ]),
      headcount: 10,
    };
    const choice = chooseBaseline(
      day,
      { byDay: series([[1, 50, 5000]]), firstActiveDay: '2026-02-01', hireDate: '2026-03-01' },
      department,
      settings,
    );
    expect(choice.kind).toBe('department');
    if (choice.kind !== 'department') return;
    expect(choice.reason).toBe('new-hire');
    // Per head over 10 days: 3, 1 and eight 0 → median 0, MAD 0.
    expect(choice.events).toEqual({ median: 0, mad: 0, days: 10 });
  });

  it('falls back to the department for short history', () => {
    const department = {
      byDay: series(
        Array.from({ length: 10 }, (_, i) => [i + 1, 20, 2000] as [number, number, number]),
      ),
      headcount: 4,
    };
    const choice = chooseBaseline(
      day,
      { byDay: series([[2, 1, 10]]), firstActiveDay: '2026-03-09', hireDate: null },
      department,
      settings,
    );
    expect(choice).toMatchObject({ kind: 'department', reason: 'short-history' });
    if (choice.kind !== 'department') return;
    expect(choice.events).toEqual({ median: 5, mad: 0, days: 10 });
    expect(choice.bytes.median).toBe(500);
  });

  it('has no baseline without history or department', () => {
    const choice = chooseBaseline(
      day,
      { byDay: new Map(), firstActiveDay: null, hireDate: null },
      null,
      settings,
    );
    expect(choice).toEqual({ kind: 'none', reason: 'short-history' });
  });
});
