import { DateTime } from 'luxon';

/** Names of the watchlists that HR dates fill; every other list name is a custom list. */
export const lifecycleLists = ['departing', 'new-hires'] as const;
export type LifecycleList = (typeof lifecycleLists)[number];

export function isLifecycleList(list: string): list is LifecycleList {
  return (lifecycleLists as readonly string[]).includes(list);
}

export interface WatchlistSettings {
  departing: { daysAfterLastDay: number };
  newHires: { days: number };
}

/** The HR dates of a person that lifecycle windows read; dates are `YYYY-MM-DD` local days. */
export interface LifecycleDates {
  hireDate: string | null;
  noticeDate: string | null;
  lastWorkingDay: string | null;
  /** The person's IANA time zone, or null to use the policy's. */
  timeZone: string | null;
  active: boolean;
}

/** A period on a lifecycle list: from `startsAt` (inclusive) to `endsAt` (exclusive, null when open). */
export interface LifecycleWindow {
  list: LifecycleList;
  startsAt: Date;
  endsAt: Date | null;
}

/** Returns the instant a local calendar day starts in a time zone, daylight-saving changes included. */
export function startOfLocalDay(day: string, timeZone: string): DateTime {
  const start = DateTime.fromISO(day, { zone: timeZone }).startOf('day');
  if (!start.isValid) {
    throw new Error(`invalid day ${day} in time zone ${timeZone}: ${start.invalidExplanation}`);
  }
  return start;
}

/**
 * Computes a person's lifecycle windows from their HR dates, each bounded by local midnights:
 * - departing: from the start of the notice date (or of the last working day when no notice date
 *   is recorded) until the end of the local day `daysAfterLastDay` days after the last working day.
 *   Without a last working day the window stays open.
 * - new-hires: the first `days` local days from the hire date, for active people only.
 */
export function lifecycleWindows(
  dates: LifecycleDates,
  settings: WatchlistSettings,
  defaultTimeZone: string,
): LifecycleWindow[] {
  const zone = dates.timeZone ?? defaultTimeZone;
  const windows: LifecycleWindow[] = [];

  const departureStart = dates.noticeDate ?? dates.lastWorkingDay;
  if (departureStart !== null) {
    const endsAt =
      dates.lastWorkingDay === null
        ? null
        : startOfLocalDay(dates.lastWorkingDay, zone)
            .plus({ days: settings.departing.daysAfterLastDay + 1 })
            .toJSDate();
    windows.push({
      list: 'departing',
      startsAt: startOfLocalDay(departureStart, zone).toJSDate(),
      endsAt,
    });
  }

  if (dates.hireDate !== null && dates.active) {
    const start = startOfLocalDay(dates.hireDate, zone);
    windows.push({
      list: 'new-hires',
      startsAt: start.toJSDate(),
      endsAt: start.plus({ days: settings.newHires.days }).toJSDate(),
    });
  }
  return windows;
}

/** Returns whether a window contains an instant. */
export function windowContains(window: { startsAt: Date; endsAt: Date | null }, at: Date): boolean {
  const time = at.getTime();
  return (
    window.startsAt.getTime() <= time && (window.endsAt === null || time < window.endsAt.getTime())
  );
}

/** Counts local calendar days from the day containing `at` to `day` (negative when `day` is past). */
export function localDaysUntil(day: string, at: Date, timeZone: string): number {
  const today = DateTime.fromJSDate(at, { zone: timeZone }).startOf('day');
  const target = startOfLocalDay(day, timeZone);
  return Math.round(target.diff(today, 'days').days);
}

/** Returns the local calendar day (`YYYY-MM-DD`) that contains `at` in a time zone. */
export function localDay(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate()!;
}
