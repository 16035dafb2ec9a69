import { z } from 'zod';

/**
 * Times outside this window are rejected as impossible for a detection. The window is fixed
 * rather than relative to the clock so that parsing stays a pure function of its input.
 */
export const earliestTime = new Date('2000-01-01T00:00:00Z');
export const latestTime = new Date('2100-01-01T00:00:00Z');

// Epoch units are recognised by magnitude: below 1e11 they are seconds (1e11 s is the year
// 5138), below 1e14 milliseconds and below 1e17 microseconds. Between 2000 and 2100 the three
// ranges do not overlap.
const maxEpochSeconds = 1e11;
const maxEpochMilliseconds = 1e14;
const maxEpochMicroseconds = 1e17;

const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:?\d{2})$/;
const numericPattern = /^\d+(\.\d+)?$/;

export type TimeResult = { ok: true; date: Date } | { ok: false; problem: string };

/**
 * Converts an ISO 8601 date-time (any number of fractional digits, offset required) or an
 * epoch number in seconds, milliseconds or microseconds (also as a numeric string) to a Date.
 * The problem text of a failure completes the sentence "<value> …".
 */
export function parseTime(value: unknown): TimeResult {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') {
    return { ok: false, problem: 'is not a valid time (expected an ISO 8601 string or a number)' };
  }

  const text = value.trim();
  if (numericPattern.test(text)) return fromEpoch(Number(text));
  return fromIso(text);
}

function fromEpoch(value: number): TimeResult {
  if (!Number.isFinite(value) || value <= 0) {
    return { ok: false, problem: 'is not a valid time (expected a positive epoch number)' };
  }

  let milliseconds: number;
  if (value < maxEpochSeconds) milliseconds = value * 1000;
  else if (value < maxEpochMilliseconds) milliseconds = value;
  else if (value < maxEpochMicroseconds) milliseconds = value / 1000;
  else {
    return {
      ok: false,
      problem: 'is not a valid time (too large for epoch seconds, milliseconds or microseconds)',
    };
  }

  return withinWindow(new Date(Math.floor(milliseconds)));
}

function fromIso(text: string): TimeResult {
  const match = isoPattern.exec(text);
  if (match === null) {
    return {
      ok: false,
      problem: 'is not a valid time (expected ISO 8601 with a time zone, or an epoch number)',
    };
  }

  const [, yearText, monthText, dayText, hourText, minuteText, secondText, fraction, zone] = match;
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = secondText === undefined ? 0 : Number(secondText);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return { ok: false, problem: 'is not a valid time (no such date or time of day)' };
  }

  const offset = offsetMinutes(zone!);
  if (offset === null) {
    return { ok: false, problem: 'is not a valid time (invalid time zone offset)' };
  }

  // Fractions beyond milliseconds (Graph sends 7 digits, Incydr 6) are truncated.
  const milliseconds = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, milliseconds);
  return withinWindow(new Date(utc - offset * 60_000));
}

/** Returns the number of days of a month (1–12) in the Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Returns the zone's offset from UTC in minutes, or null when it is out of range. */
function offsetMinutes(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4));
  if (hours > 23 || minutes > 59) return null;
  const total = hours * 60 + minutes;
  return zone.startsWith('-') ? -total : total;
}

const earliestMs = earliestTime.getTime();
const latestMs = latestTime.getTime();

function withinWindow(date: Date): TimeResult {
  const time = date.getTime();
  if (time < earliestMs || time >= latestMs) {
    return {
      ok: false,
      problem: `is not a valid time (${date.toISOString()} is outside 2000–2099)`,
    };
  }
  return { ok: true, date };
}

/** Converts a time for a zod transform, adding an issue with the problem when it is invalid. */
export function toDate(value: string | number, context: z.RefinementCtx): Date {
  const result = parseTime(value);
  if (result.ok) return result.date;
  context.addIssue({ code: 'custom', message: result.problem });
  return z.NEVER;
}

/** A zod field that accepts what `parseTime` accepts and outputs a Date. */
export const timeField = z.union([z.string(), z.number()]).transform(toDate);
