import { describe, expect, it } from 'vitest';
import { parseAsOf } from '../../src/retention/data-protection-service.ts';

const now = new Date('2026-12-05T04:00:00Z');

describe('--as-of', () => {
  it('reads dates and offset times', () => {
    expect(parseAsOf('2026-06-01', now).toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(parseAsOf(' 2026-06-01T10:00:00+02:00 ', now).toISOString()).toBe(
      '2026-06-01T08:00:00.000Z',
    );
    expect(parseAsOf(undefined, now)).toBe(now);
  });

  it.each([
    ['2026-02-30', '--as-of "2026-02-30" is not a valid time (no such date or time of day)'],
    ['2026-13-01', '--as-of "2026-13-01" is not a valid time (no such date or time of day)'],
    ['2026-12-05T04:00:00', '--as-of "2026-12-05T04:00:00" has no time zone; add Z for UTC'],
    ['yesterday', '--as-of "yesterday" is not a date; give YYYY-MM-DD'],
    ['1767225600', '--as-of "1767225600" is not a date'],
  ])('rejects %s', (value, message) => {
    expect(() => parseAsOf(value, now)).toThrow(message);
  });
});
