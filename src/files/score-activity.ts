import { and, count, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../store/db.ts';
import { people } from '../store/schema.ts';
import { fileActivityDaily } from '../store/schema-files.ts';
import { type BaselineChoice, chooseBaseline, scoreValue, windowDays } from './baseline.ts';
import { activityKey, type DailyActivity } from './daily-activity.ts';
import type { AnomalyFinding } from './file-alert.ts';
import type { FileRules } from './file-rules.ts';

export interface ActivityScore {
  /** The larger of the events and bytes factors, or null when no baseline applies. */
  factor: number | null;
  /** The anomaly, when the day's totals are one. */
  finding: AnomalyFinding | null;
}

type Totals = { events: number; bytes: number };

/** Daily totals by `fileCategory\0destinationCategory`, then by day. */
type Series = Map<string, Map<string, Totals>>;

interface SubjectSeries {
  /** The first day loaded; days from it on are in `series`. */
  from: string;
  series: Series;
  /** Days with any activity of the subject, in any category. */
  activeDays: Set<string>;
  /** The latest day with totals; a change to an earlier day changes later baselines. */
  latestDay: string;
  /** Raised whenever a change can alter a baseline already chosen. */
  version: number;
}

interface DepartmentSeries {
  from: string;
  series: Series;
  headcount: number;
  latestDay: string;
  version: number;
}

interface CachedChoice {
  day: string;
  choice: BaselineChoice;
  subjectVersion: number;
  departmentVersion: number;
}

/** Cached daily totals beyond which the caches start over, bounding memory on long runs. */
const MAX_CACHED_TOTALS = 2_000_000;

/**
 * The baselines of one ingest run. A subject's or department's daily totals are read from
 * `file_activity_daily` the first time a unit needs them. After that, the totals each unit writes
 * keep them current in memory, so a unit reads history only for subjects it has not seen. A baseline
 * (median and MAD of the days before a day) does not change while that day's totals grow, so it is
 * chosen once per subject, category pair and day, and chosen again only when an earlier day
 * changes. Writes by other processes during the run are seen when a cache starts over.
 */
export class ActivityBaselines {
  private readonly subjects = new Map<string, SubjectSeries>();
  private readonly departments = new Map<string, DepartmentSeries>();
  private readonly choices = new Map<string, CachedChoice>();
  private cachedTotals = 0;

  constructor(private readonly rules: FileRules) {}

  /**
   * Scores each day total of a unit against its baseline (see chooseBaseline): the factor is the
   * larger of the events factor and the bytes factor, and the day is an anomaly when either one
   * is. `totals` are the stored totals after the unit's increments were added; `increments` are
   * those increments. Returns the scores by `activityKey` of the totals that could be anomalies;
   * the others have no score.
   */
  async score(
    tx: Executor,
    totals: readonly DailyActivity[],
    increments: readonly DailyActivity[],
    hireDateOf: (subjectKey: string) => string | null,
  ): Promise<Map<string, ActivityScore>> {
    const scores = new Map<string, ActivityScore>();
    if (totals.length === 0) return scores;
    if (this.cachedTotals > MAX_CACHED_TOTALS) this.startOver();
    const settings = this.rules.baseline;
    const threshold = {
      anomalyFactor: this.rules.thresholds.anomalyFactor,
      robustZ: this.rules.thresholds.robustZ,
    };
    // The factor divides by at least the floor, so a total below factor × floor in both metrics
    // is no anomaly whatever its baseline. Only the other totals need their history.
    const candidates = totals.filter(
      (total) =>
        total.events >= threshold.anomalyFactor * settings.minEvents ||
        total.bytes >= threshold.anomalyFactor * settings.minBytes,
    );
    await this.update(tx, totals, candidates, increments);

    for (const total of candidates) {
      const choice = this.choose(total, hireDateOf(total.subjectKey));
      if (choice.kind === 'none') {
        scores.set(activityKey(total), { factor: null, finding: null });
        continue;
      }
      const byEvents = scoreValue(total.events, choice.events, {
        ...threshold,
        floor: settings.minEvents,
      });
      const byBytes = scoreValue(total.bytes, choice.bytes, {
        ...threshold,
        floor: settings.minBytes,
      });
      const metric = rankMetric(byEvents, byBytes);
      const chosen = metric === 'events' ? byEvents : byBytes;
      scores.set(activityKey(total), {
        factor: chosen.factor,
        finding:
          byEvents.anomalous || byBytes.anomalous
            ? {
                fileCategory: total.fileCategory,
                destinationCategory: total.destinationCategory,
                baseline: choice.kind,
                factor: chosen.factor,
                metric,
                events: total.events,
                bytes: total.bytes,
              }
            : null,
      });
    }
    return scores;
  }

  private startOver(): void {
    this.subjects.clear();
    this.departments.clear();
    this.choices.clear();
    this.cachedTotals = 0;
  }

  /**
   * Loads the history of subjects and departments seen for the first time (or needed from an
   * earlier day than loaded), and applies the unit's totals to those already cached. A load
   * already includes the unit's totals, since they were written first.
   */
  private async update(
    tx: Executor,
    totals: readonly DailyActivity[],
    candidates: readonly DailyActivity[],
    increments: readonly DailyActivity[],
  ): Promise<void> {
    const needFrom = (day: string) => windowDays(day, this.rules.baseline.days)[0]!;
    const subjectFrom = new Map<string, string>();
    const departmentFrom = new Map<string, string>();
    for (const total of candidates) {
      const from = needFrom(total.day);
      if (!((subjectFrom.get(total.subjectKey) ?? from) < from))
        subjectFrom.set(total.subjectKey, from);
      if (total.department !== null && !((departmentFrom.get(total.department) ?? from) < from))
        departmentFrom.set(total.department, from);
    }

    const loadSubjects = [...subjectFrom].filter(
      ([key, from]) => (this.subjects.get(key)?.from ?? '9999') > from,
    );
    const loadDepartments = [...departmentFrom].filter(
      ([name, from]) => (this.departments.get(name)?.from ?? '9999') > from,
    );
    const loadingSubjects = new Set(loadSubjects.map(([key]) => key));
    for (const total of totals) {
      if (!loadingSubjects.has(total.subjectKey)) this.setSubjectTotal(total);
    }
    const loadingDepartments = new Set(loadDepartments.map(([name]) => name));
    for (const increment of increments) {
      if (increment.department !== null && !loadingDepartments.has(increment.department))
        this.addDepartmentIncrement(increment);
    }
    await this.loadSubjects(tx, loadSubjects);
    await this.loadDepartments(tx, loadDepartments);
  }

  private setSubjectTotal(total: DailyActivity): void {
    const cached = this.subjects.get(total.subjectKey);
    if (cached === undefined) return;
    if (total.day < cached.from) return;
    const byDay = seriesFor(cached.series, total);
    if (!byDay.has(total.day)) this.cachedTotals++;
    byDay.set(total.day, { events: total.events, bytes: total.bytes });
    cached.activeDays.add(total.day);
    if (total.day < cached.latestDay) cached.version++;
    else cached.latestDay = total.day;
  }

  private addDepartmentIncrement(increment: DailyActivity): void {
    const cached = this.departments.get(increment.department!);
    if (cached === undefined || increment.day < cached.from) return;
    const byDay = seriesFor(cached.series, increment);
    const current = byDay.get(increment.day);
    if (current === undefined) {
      this.cachedTotals++;
      byDay.set(increment.day, { events: increment.events, bytes: increment.bytes });
    } else {
      current.events += increment.events;
      current.bytes += increment.bytes;
    }
    if (increment.day < cached.latestDay) cached.version++;
    else cached.latestDay = increment.day;
  }

  private async loadSubjects(tx: Executor, needed: Array<[string, string]>): Promise<void> {
    if (needed.length === 0) return;
    const from = needed.map(([, day]) => day).sort()[0]!;
    const rows = await tx
      .select({
        subjectKey: fileActivityDaily.subjectKey,
        day: fileActivityDaily.day,
        fileCategory: fileActivityDaily.fileCategory,
        destinationCategory: fileActivityDaily.destinationCategory,
        events: fileActivityDaily.events,
        bytes: fileActivityDaily.bytes,
      })
      .from(fileActivityDaily)
      .where(
        and(
          inArray(
            fileActivityDaily.subjectKey,
            needed.map(([key]) => key),
          ),
          gte(fileActivityDaily.day, from),
        ),
      );
    for (const [key] of needed) {
      const previous = this.subjects.get(key);
      this.subjects.set(key, {
        from,
        series: new Map(),
        activeDays: new Set(),
        latestDay: from,
        version: (previous?.version ?? 0) + 1,
      });
    }
    for (const row of rows) {
      const cached = this.subjects.get(row.subjectKey)!;
      seriesFor(cached.series, row).set(row.day, {
        events: row.events,
        bytes: Number(row.bytes),
      });
      this.cachedTotals++;
      cached.activeDays.add(row.day);
      if (row.day > cached.latestDay) cached.latestDay = row.day;
    }
  }

  private async loadDepartments(tx: Executor, needed: Array<[string, string]>): Promise<void> {
    if (needed.length === 0) return;
    const from = needed.map(([, day]) => day).sort()[0]!;
    const names = needed.map(([name]) => name);
    const rows = await tx
      .select({
        department: fileActivityDaily.department,
        day: fileActivityDaily.day,
        fileCategory: fileActivityDaily.fileCategory,
        destinationCategory: fileActivityDaily.destinationCategory,
        events: sql<number>`sum(${fileActivityDaily.events})::float8`,
        bytes: sql<number>`sum(${fileActivityDaily.bytes})::float8`,
      })
      .from(fileActivityDaily)
      .where(and(inArray(fileActivityDaily.department, names), gte(fileActivityDaily.day, from)))
      .groupBy(
        fileActivityDaily.department,
        fileActivityDaily.day,
        fileActivityDaily.fileCategory,
        fileActivityDaily.destinationCategory,
      );
    const headcounts = await tx
      .select({ department: people.department, headcount: count() })
      .from(people)
      .where(and(inArray(people.department, names), eq(people.active, true)))
      .groupBy(people.department);
    const headcountOf = new Map(headcounts.map((row) => [row.department, Number(row.headcount)]));
    for (const name of names) {
      const previous = this.departments.get(name);
      this.departments.set(name, {
        from,
        series: new Map(),
        headcount: headcountOf.get(name) ?? 0,
        latestDay: from,
        version: (previous?.version ?? 0) + 1,
      });
    }
    for (const row of rows) {
      const cached = this.departments.get(row.department!)!;
      seriesFor(cached.series, row).set(row.day, {
        events: Number(row.events),
        bytes: Number(row.bytes),
      });
      this.cachedTotals++;
      if (row.day > cached.latestDay) cached.latestDay = row.day;
    }
  }

  /** Returns the baseline of a day total, reusing the one chosen before when nothing it used changed. */
  private choose(total: DailyActivity, hireDate: string | null): BaselineChoice {
    const subject = this.subjects.get(total.subjectKey)!;
    const department =
      total.department === null ? undefined : this.departments.get(total.department);
    const key = activityKey({ ...total, day: '' });
    const cached = this.choices.get(key);
    if (
      cached !== undefined &&
      cached.day === total.day &&
      cached.subjectVersion === subject.version &&
      cached.departmentVersion === (department?.version ?? 0)
    ) {
      return cached.choice;
    }
    const pair = `${total.fileCategory}\u0000${total.destinationCategory}`;
    const window = windowDays(total.day, this.rules.baseline.days);
    const choice = chooseBaseline(
      total.day,
      {
        byDay: subject.series.get(pair) ?? new Map(),
        firstActiveDay: window.find((day) => subject.activeDays.has(day)) ?? null,
        hireDate,
      },
      department === undefined
        ? null
        : { byDay: department.series.get(pair) ?? new Map(), headcount: department.headcount },
      this.rules.baseline,
    );
    this.choices.set(key, {
      day: total.day,
      choice,
      subjectVersion: subject.version,
      departmentVersion: department?.version ?? 0,
    });
    return choice;
  }
}

function seriesFor(
  series: Series,
  key: { fileCategory: string; destinationCategory: string },
): Map<string, Totals> {
  const pair = `${key.fileCategory}\u0000${key.destinationCategory}`;
  let byDay = series.get(pair);
  if (byDay === undefined) {
    byDay = new Map();
    series.set(pair, byDay);
  }
  return byDay;
}

/** Prefers the anomalous metric, then the larger factor. */
function rankMetric(
  byEvents: { factor: number; anomalous: boolean },
  byBytes: { factor: number; anomalous: boolean },
): 'events' | 'bytes' {
  if (byEvents.anomalous !== byBytes.anomalous) return byEvents.anomalous ? 'events' : 'bytes';
  return byBytes.factor >= byEvents.factor ? 'bytes' : 'events';
}
