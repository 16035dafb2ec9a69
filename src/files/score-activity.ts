import type { Executor } from '../store/db.ts';
import { chooseBaseline, scoreValue, windowDays } from './baseline.ts';
import { activityKey, type DailyActivity, loadActivityHistory } from './daily-activity.ts';
import type { AnomalyFinding } from './file-alert.ts';
import type { FileRules } from './file-rules.ts';

export interface ActivityScore {
  /** The larger of the events and bytes factors, or null when no baseline applies. */
  factor: number | null;
  /** The anomaly, when the day's totals are one. */
  finding: AnomalyFinding | null;
}

/**
 * Scores each day total against its baseline (see chooseBaseline): the factor is the larger of
 * the events factor and the bytes factor, and the day is an anomaly when either one is.
 */
export async function scoreActivity(
  tx: Executor,
  totals: readonly DailyActivity[],
  persons: ReadonlyMap<string, { department: string | null; hireDate: string | null }>,
  personOf: ReadonlyMap<string, string | null>,
  rules: FileRules,
): Promise<Map<string, ActivityScore>> {
  const scores = new Map<string, ActivityScore>();
  if (totals.length === 0) return scores;
  const settings = rules.baseline;
  const days = totals.map((total) => total.day).sort();
  const fromDay = windowDays(days[0]!, settings.days)[0]!;
  const toDay = new Date(Date.parse(`${days.at(-1)}T00:00:00Z`) + 86_400_000)
    .toISOString()
    .slice(0, 10);
  const departments = [...new Set(totals.flatMap((total) => total.department ?? []))];
  const history = await loadActivityHistory(
    tx,
    [...new Set(totals.map((total) => total.subjectKey))],
    departments,
    fromDay,
    toDay,
  );

  for (const total of totals) {
    const personId = personOf.get(total.subjectKey) ?? null;
    const person = personId === null ? undefined : persons.get(personId);
    const choice = chooseBaseline(
      total.day,
      history.subject(
        total.subjectKey,
        total.fileCategory,
        total.destinationCategory,
        person?.hireDate ?? null,
      ),
      history.department(total.department, total.fileCategory, total.destinationCategory),
      settings,
    );
    if (choice.kind === 'none') {
      scores.set(activityKey(total), { factor: null, finding: null });
      continue;
    }

    const threshold = {
      anomalyFactor: rules.thresholds.anomalyFactor,
      robustZ: rules.thresholds.robustZ,
    };
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

/** Prefers the anomalous metric, then the larger factor. */
function rankMetric(
  byEvents: { factor: number; anomalous: boolean },
  byBytes: { factor: number; anomalous: boolean },
): 'events' | 'bytes' {
  if (byEvents.anomalous !== byBytes.anomalous) return byEvents.anomalous ? 'events' : 'bytes';
  return byBytes.factor >= byEvents.factor ? 'bytes' : 'events';
}
