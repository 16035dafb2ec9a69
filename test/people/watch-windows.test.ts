import { describe, expect, it } from 'vitest';
import {
  lifecycleWindows,
  localDaysUntil,
  windowContains,
} from '../../src/people/watch-windows.ts';

const settings = { departing: { daysAfterLastDay: 30 }, newHires: { days: 90 } };
const noDates = {
  hireDate: null,
  noticeDate: null,
  lastWorkingDay: null,
  timeZone: null,
  active: true,
};

describe('lifecycle windows', () => {
  it('departing window ends at local midnight across a DST change', () => {
    // Last working day 2026-10-01 in Berlin; 30 days later is 2026-10-31, and the clocks go back
    // on 2026-10-25, so the window ends at 2026-11-01 00:00 CET = 2026-10-31 23:00 UTC.
    const [window] = lifecycleWindows(
      {
        ...noDates,
        noticeDate: '2026-09-01',
        lastWorkingDay: '2026-10-01',
        timeZone: 'Europe/Berlin',
      },
      settings,
      'UTC',
    );
    expect(window?.list).toBe('departing');
    // Notice day starts at 2026-09-01 00:00 CEST = 2026-08-31 22:00 UTC.
    expect(window?.startsAt.toISOString()).toBe('2026-08-31T22:00:00.000Z');
    expect(window?.endsAt?.toISOString()).toBe('2026-10-31T23:00:00.000Z');
    expect(windowContains(window!, new Date('2026-10-31T22:59:59.999Z'))).toBe(true);
    expect(windowContains(window!, new Date('2026-10-31T23:00:00.000Z'))).toBe(false);
    expect(windowContains(window!, new Date('2026-08-31T21:59:59.999Z'))).toBe(false);
    expect(windowContains(window!, new Date('2026-08-31T22:00:00.000Z'))).toBe(true);
  });

  it('new-hire window starts on the local hire day', () => {
    // Hired 2027-03-01 in Los Angeles (UTC-8); 90 days spans the spring-forward change on 2027-03-14.
    const [window] = lifecycleWindows(
      { ...noDates, hireDate: '2027-03-01', timeZone: 'America/Los_Angeles' },
      settings,
      'UTC',
    );
    expect(window?.list).toBe('new-hires');
    expect(window?.startsAt.toISOString()).toBe('2027-03-01T08:00:00.000Z');
    // 2027-05-30 00:00 PDT (UTC-7).
    expect(window?.endsAt?.toISOString()).toBe('2027-05-30T07:00:00.000Z');
    // Still 2027-02-28 in Los Angeles although already 2027-03-01 in UTC.
    expect(windowContains(window!, new Date('2027-03-01T07:59:00Z'))).toBe(false);
  });

  it('same dates end on different instants per time zone', () => {
    const dates = { ...noDates, noticeDate: '2026-12-01', lastWorkingDay: '2026-12-15' };
    const tokyo = lifecycleWindows({ ...dates, timeZone: 'Asia/Tokyo' }, settings, 'UTC')[0];
    const fallback = lifecycleWindows(dates, settings, 'America/New_York')[0];
    expect(tokyo?.endsAt?.toISOString()).toBe('2027-01-14T15:00:00.000Z');
    expect(fallback?.endsAt?.toISOString()).toBe('2027-01-15T05:00:00.000Z');
  });

  it('departing without last working day stays open', () => {
    const windows = lifecycleWindows({ ...noDates, noticeDate: '2026-12-01' }, settings, 'UTC');
    expect(windows).toEqual([
      { list: 'departing', startsAt: new Date('2026-12-01T00:00:00Z'), endsAt: null },
    ]);
  });

  it('inactive person gets no new-hire window', () => {
    const windows = lifecycleWindows(
      { ...noDates, hireDate: '2026-12-01', active: false },
      settings,
      'UTC',
    );
    expect(windows).toEqual([]);
  });

  it('days until last working day use the local day', () => {
    // 23:30 UTC on 2026-12-02 is already 2026-12-03 in Berlin.
    const at = new Date('2026-12-02T23:30:00Z');
    expect(localDaysUntil('2026-12-15', at, 'Europe/Berlin')).toBe(12);
    expect(localDaysUntil('2026-12-15', at, 'UTC')).toBe(13);
    expect(localDaysUntil('2026-12-01', at, 'UTC')).toBe(-1);
  });
});
