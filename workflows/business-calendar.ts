import { DateTime, IANAZone } from 'luxon';

/** Days of the week, in ISO order (Monday is 1). */
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];

/** Working time of an organisation, read in one IANA time zone. */
export interface BusinessCalendarSpec {
  /** IANA time zone name, such as `Europe/Berlin`. */
  timeZone: string;
  workingDays: readonly Weekday[];
  /** Local wall-clock times `HH:MM`. `end` may be `24:00` and must be later than `start`. */
  workingHours: { start: string; end: string };
  /** Local dates `YYYY-MM-DD` in `timeZone` that are not working days. */
  holidays: readonly string[];
}

export interface BusinessCalendar {
  readonly spec: BusinessCalendarSpec;
  /**
   * Adds `hours` of working time to `start`. The result is always inside working hours, so a sum
   * that ends exactly at the end of a working period moves to the start of the next one.
   */
  addBusinessHours(start: Date, hours: number): Date;
  /** Returns `at` itself when it is inside working hours, otherwise the start of the next working period. */
  nextBusinessMoment(at: Date): Date;
  isBusinessMoment(at: Date): boolean;
}

/** UTC, Monday to Friday, 09:00 to 17:00, no holidays. */
export const defaultBusinessCalendarSpec: BusinessCalendarSpec = {
  timeZone: 'UTC',
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  workingHours: { start: '09:00', end: '17:00' },
  holidays: [],
};

const HOUR_MS = 3_600_000;
const clockTime = /^(\d{2}):(\d{2})$/;
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
// Ten years of days without a working period means the calendar has none in practice.
const maxDaysSearched = 3660;

/** Returns whether `name` is an IANA time zone known to this runtime's Intl data. */
export function isValidTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/** Returns the minutes after midnight of `HH:MM`, or null when it is not a time from 00:00 to 24:00. */
export function parseClockTime(value: string): number | null {
  const match = clockTime.exec(value);
  if (match === null) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) return null;
  return hours * 60 + minutes;
}

/** Returns whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  return isoDate.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** Lists the problems of a calendar specification. An empty list means it is valid. */
export function checkBusinessCalendarSpec(spec: BusinessCalendarSpec): string[] {
  const problems: string[] = [];
  if (!isValidTimeZone(spec.timeZone)) {
    problems.push(`timeZone ${spec.timeZone} is not a known IANA time zone`);
  }
  if (spec.workingDays.length === 0) problems.push('workingDays must name at least one day');
  const start = parseClockTime(spec.workingHours.start);
  const end = parseClockTime(spec.workingHours.end);
  if (start === null || start === 24 * 60) {
    problems.push(
      `workingHours.start ${spec.workingHours.start} must be a time HH:MM before 24:00`,
    );
  }
  if (end === null) problems.push(`workingHours.end ${spec.workingHours.end} must be a time HH:MM`);
  if (start !== null && end !== null && end <= start) {
    problems.push(
      `workingHours.end ${spec.workingHours.end} must be later than workingHours.start ${spec.workingHours.start}`,
    );
  }
  for (const holiday of spec.holidays) {
    if (!isCalendarDate(holiday)) problems.push(`holiday ${holiday} must be a date YYYY-MM-DD`);
  }
  return problems;
}

/** Creates a calendar, or throws a RangeError that lists every problem of an invalid specification. */
export function createBusinessCalendar(spec: BusinessCalendarSpec): BusinessCalendar {
  const problems = checkBusinessCalendarSpec(spec);
  if (problems.length > 0) {
    throw new RangeError(`Invalid business calendar: ${problems.join('; ')}.`);
  }

  const startMinute = parseClockTime(spec.workingHours.start) as number;
  const endMinute = parseClockTime(spec.workingHours.end) as number;
  const days = new Set(spec.workingDays.map((day) => weekdays.indexOf(day) + 1));
  const holidays = new Set(spec.holidays);

  /** Returns the working period of a local day as epoch milliseconds, or null on a day off. */
  const periodOf = (day: DateTime): { start: number; end: number } | null => {
    if (!days.has(day.weekday) || holidays.has(day.toISODate() ?? '')) return null;
    return { start: atMinute(day, startMinute), end: atMinute(day, endMinute) };
  };

  const addBusinessHours = (start: Date, hours: number): Date => {
    if (!Number.isFinite(hours) || hours < 0) {
      throw new RangeError(`Business hours must be a finite number of 0 or more, not ${hours}.`);
    }
    let remaining = hours * HOUR_MS;
    const cursor = start.getTime();
    let day = DateTime.fromMillis(cursor, { zone: spec.timeZone }).startOf('day');

    for (let searched = 0; searched < maxDaysSearched; searched++) {
      const period = periodOf(day);
      if (period !== null) {
        const from = Math.max(cursor, period.start);
        if (from < period.end) {
          const available = period.end - from;
          if (remaining < available) return new Date(from + remaining);
          remaining -= available;
        }
      }
      day = day.plus({ days: 1 }).startOf('day');
    }
    throw new RangeError(
      `The business calendar has no working period in ${maxDaysSearched} days after ${start.toISOString()}.`,
    );
  };

  const nextBusinessMoment = (at: Date): Date => addBusinessHours(at, 0);

  return {
    spec,
    addBusinessHours,
    nextBusinessMoment,
    isBusinessMoment: (at) => nextBusinessMoment(at).getTime() === at.getTime(),
  };
}

/** The default calendar: UTC, Monday to Friday, 09:00 to 17:00, no holidays. */
export const defaultBusinessCalendar: BusinessCalendar = createBusinessCalendar(
  defaultBusinessCalendarSpec,
);

/**
 * Returns the instant of a local wall-clock time on `day`. luxon moves a time that a
 * daylight-saving change skips forward by the length of the gap (02:30 becomes 03:30).
 */
function atMinute(day: DateTime, minute: number): number {
  if (minute === 24 * 60) return day.plus({ days: 1 }).startOf('day').toMillis();
  return day.set({ hour: Math.floor(minute / 60), minute: minute % 60 }).toMillis();
}
