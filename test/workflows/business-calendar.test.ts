import { describe, expect, it } from 'vitest';
import {
  type BusinessCalendarSpec,
  checkBusinessCalendarSpec,
  createBusinessCalendar,
  defaultBusinessCalendar,
} from '../../workflows/business-calendar.ts';

const weekdaysNineToFive = (timeZone: string, holidays: string[] = []): BusinessCalendarSpec => ({
  timeZone,
  workingDays: ['mon', 'tue', 'wed', 'thu', 'fri'],
  workingHours: { start: '09:00', end: '17:00' },
  holidays,
});

const berlin = createBusinessCalendar(weekdaysNineToFive('Europe/Berlin'));
const newYork = createBusinessCalendar(weekdaysNineToFive('America/New_York'));
const iso = (value: string) => new Date(value);

describe('business calendar', () => {
  it('adds hours within one working day', () => {
    // Tuesday 10:00 UTC.
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-01T10:00:00Z'), 3)).toEqual(
      iso('2026-12-01T13:00:00Z'),
    );
  });

  it('carries hours into the next day', () => {
    // Tuesday 15:00: two hours on Tuesday, four on Wednesday from 09:00.
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-01T15:00:00Z'), 6)).toEqual(
      iso('2026-12-02T13:00:00Z'),
    );
  });

  it('skips the weekend', () => {
    // Friday 16:00: one hour on Friday, the second on Monday from 09:00.
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-04T16:00:00Z'), 2)).toEqual(
      iso('2026-12-07T10:00:00Z'),
    );
  });

  it('spans several days', () => {
    // Tuesday 09:00 plus 72 hours is nine working days: the end of Friday of the next week,
    // which moves to the start of the Monday after it.
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-01T09:00:00Z'), 72)).toEqual(
      iso('2026-12-14T09:00:00Z'),
    );
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-01T09:00:00Z'), 71.5)).toEqual(
      iso('2026-12-11T16:30:00Z'),
    );
  });

  it('moves a sum ending at closing time to the next opening', () => {
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-01T09:00:00Z'), 8)).toEqual(
      iso('2026-12-02T09:00:00Z'),
    );
  });

  it('starts counting at the next opening', () => {
    // Saturday 12:00 counts from Monday 09:00.
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-05T12:00:00Z'), 1)).toEqual(
      iso('2026-12-07T10:00:00Z'),
    );
    // Tuesday 20:00 counts from Wednesday 09:00.
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-01T20:00:00Z'), 1)).toEqual(
      iso('2026-12-02T10:00:00Z'),
    );
  });

  it('skips holidays', () => {
    const calendar = createBusinessCalendar(
      weekdaysNineToFive('Europe/Berlin', ['2026-12-24', '2026-12-25']),
    );

    // Wednesday 23 December, 16:00 Berlin: one hour that day, then Thursday and Friday are
    // holidays, so the second hour is Monday 28 December 09:00 to 10:00 Berlin (UTC+1).
    expect(calendar.addBusinessHours(iso('2026-12-23T15:00:00Z'), 2)).toEqual(
      iso('2026-12-28T09:00:00Z'),
    );
    expect(calendar.nextBusinessMoment(iso('2026-12-24T10:00:00Z'))).toEqual(
      iso('2026-12-28T08:00:00Z'),
    );
  });

  it('reads holidays in its own time zone', () => {
    const calendar = createBusinessCalendar(weekdaysNineToFive('America/New_York', ['2026-11-26']));

    // 2026-11-26T14:00Z is 09:00 on Thursday 26 November in New York: a holiday there.
    expect(calendar.isBusinessMoment(iso('2026-11-26T14:00:00Z'))).toBe(false);
    expect(calendar.nextBusinessMoment(iso('2026-11-26T14:00:00Z'))).toEqual(
      iso('2026-11-27T14:00:00Z'),
    );
  });

  it('returns the same moment inside working hours', () => {
    const at = iso('2026-12-01T12:34:56.789Z');

    expect(defaultBusinessCalendar.nextBusinessMoment(at)).toEqual(at);
    expect(defaultBusinessCalendar.isBusinessMoment(at)).toBe(true);
  });

  it('treats opening time as inside and closing time as outside', () => {
    expect(defaultBusinessCalendar.isBusinessMoment(iso('2026-12-01T09:00:00Z'))).toBe(true);
    expect(defaultBusinessCalendar.isBusinessMoment(iso('2026-12-01T17:00:00Z'))).toBe(false);
    expect(defaultBusinessCalendar.nextBusinessMoment(iso('2026-12-01T17:00:00Z'))).toEqual(
      iso('2026-12-02T09:00:00Z'),
    );
  });

  it('keeps Berlin local hours across spring-forward', () => {
    // Berlin moves from UTC+1 to UTC+2 on Sunday 29 March 2026. Friday 16:00 local is 15:00Z,
    // and Monday 09:00 local is 07:00Z.
    expect(berlin.addBusinessHours(iso('2026-03-27T15:00:00Z'), 2)).toEqual(
      iso('2026-03-30T08:00:00Z'),
    );
    expect(berlin.nextBusinessMoment(iso('2026-03-28T12:00:00Z'))).toEqual(
      iso('2026-03-30T07:00:00Z'),
    );
  });

  it('keeps Berlin local hours across fall-back', () => {
    // Berlin moves from UTC+2 to UTC+1 on Sunday 25 October 2026. Friday 16:00 local is 14:00Z,
    // and Monday 10:00 local is 09:00Z.
    expect(berlin.addBusinessHours(iso('2026-10-23T14:00:00Z'), 2)).toEqual(
      iso('2026-10-26T09:00:00Z'),
    );
  });

  it('keeps New York local hours across spring-forward', () => {
    // New York moves from UTC-5 to UTC-4 on Sunday 8 March 2026. Friday 16:00 local is 21:00Z,
    // and Monday 10:00 local is 14:00Z.
    expect(newYork.addBusinessHours(iso('2026-03-06T21:00:00Z'), 2)).toEqual(
      iso('2026-03-09T14:00:00Z'),
    );
  });

  it('keeps New York local hours across fall-back', () => {
    // New York moves from UTC-4 to UTC-5 on Sunday 1 November 2026. Friday 16:00 local is 20:00Z,
    // and Monday 10:00 local is 15:00Z.
    expect(newYork.addBusinessHours(iso('2026-10-30T20:00:00Z'), 2)).toEqual(
      iso('2026-11-02T15:00:00Z'),
    );
  });

  it('counts real hours on a daylight-saving night shift', () => {
    const nights = createBusinessCalendar({
      timeZone: 'Europe/Berlin',
      workingDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      workingHours: { start: '00:00', end: '24:00' },
      holidays: [],
    });

    // Sunday 29 March 2026 has 23 hours in Berlin, so 24 working hours from its midnight
    // (28 March 23:00Z) end at 01:00 local on Monday, which is 23:00Z on Sunday.
    expect(nights.addBusinessHours(iso('2026-03-28T23:00:00Z'), 24)).toEqual(
      iso('2026-03-29T23:00:00Z'),
    );
    // Sunday 25 October 2026 has 25 hours, so 24 working hours end at 23:00 local that day.
    expect(nights.addBusinessHours(iso('2026-10-24T22:00:00Z'), 24)).toEqual(
      iso('2026-10-25T22:00:00Z'),
    );
  });

  it('moves a skipped opening time forward by the gap', () => {
    const early = createBusinessCalendar({
      timeZone: 'Europe/Berlin',
      workingDays: ['sun'],
      workingHours: { start: '02:30', end: '06:00' },
      holidays: [],
    });

    // 02:30 does not exist on 29 March 2026 in Berlin; the period opens at 03:30 local (01:30Z).
    expect(early.nextBusinessMoment(iso('2026-03-28T12:00:00Z'))).toEqual(
      iso('2026-03-29T01:30:00Z'),
    );
  });

  it('adds zero hours as the next business moment', () => {
    expect(defaultBusinessCalendar.addBusinessHours(iso('2026-12-05T12:00:00Z'), 0)).toEqual(
      iso('2026-12-07T09:00:00Z'),
    );
  });

  it('rejects negative hours', () => {
    expect(() => defaultBusinessCalendar.addBusinessHours(iso('2026-12-01T10:00:00Z'), -1)).toThrow(
      RangeError,
    );
  });

  it('rejects an invalid specification', () => {
    const spec: BusinessCalendarSpec = {
      timeZone: 'Europe/Berlln',
      workingDays: [],
      workingHours: { start: '18:00', end: '09:00' },
      holidays: ['2026-02-30'],
    };

    expect(checkBusinessCalendarSpec(spec)).toEqual([
      'timeZone Europe/Berlln is not a known IANA time zone',
      'workingDays must name at least one day',
      'workingHours.end 09:00 must be later than workingHours.start 18:00',
      'holiday 2026-02-30 must be a date YYYY-MM-DD',
    ]);
    expect(() => createBusinessCalendar(spec)).toThrow(RangeError);
  });
});
