import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseShape } from '../../src/feeds/feed-parser.ts';
import { parseTime, timeField } from '../../src/feeds/time.ts';

function iso(value: unknown): string {
  const result = parseTime(value);
  if (!result.ok) throw new Error(`expected a time, got: ${result.problem}`);
  return result.date.toISOString();
}

function problem(value: unknown): string {
  const result = parseTime(value);
  if (result.ok) throw new Error(`expected a rejection, got ${result.date.toISOString()}`);
  return result.problem;
}

describe('parseTime', () => {
  it('reads epoch numbers by magnitude', () => {
    expect(iso(1704067200)).toBe('2024-01-01T00:00:00.000Z');
    expect(iso(1704067200000)).toBe('2024-01-01T00:00:00.000Z');
    expect(iso(1743728988934673)).toBe('2025-04-04T01:09:48.934Z');
    expect(iso(1704067200.5)).toBe('2024-01-01T00:00:00.500Z');
  });

  it('reads numeric strings', () => {
    expect(iso('1591021860000')).toBe('2020-06-01T14:31:00.000Z');
    expect(iso('1747706000000000')).toBe('2025-05-20T01:53:20.000Z');
    expect(iso(' 1704067200 ')).toBe('2024-01-01T00:00:00.000Z');
  });

  it('reads ISO times with any fraction', () => {
    expect(iso('2022-08-11T19:43:06.8700000Z')).toBe('2022-08-11T19:43:06.870Z');
    expect(iso('2026-11-20T09:14:03.1234567Z')).toBe('2026-11-20T09:14:03.123Z');
    expect(iso('2022-08-11T20:30:29.789018Z')).toBe('2022-08-11T20:30:29.789Z');
    expect(iso('2024-02-07T09:22:33.69Z')).toBe('2024-02-07T09:22:33.690Z');
    expect(iso('2023-02-07T17:33:52Z')).toBe('2023-02-07T17:33:52.000Z');
    expect(iso('2024-01-01T00:00Z')).toBe('2024-01-01T00:00:00.000Z');
  });

  it('applies time zone offsets', () => {
    expect(iso('2024-01-01T02:00:00+02:00')).toBe('2024-01-01T00:00:00.000Z');
    expect(iso('2023-12-31T18:30:00-0530')).toBe('2024-01-01T00:00:00.000Z');
  });

  it('accepts 29 February in a leap year', () => {
    expect(iso('2024-02-29T12:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
  });

  it('rejects text that is no time', () => {
    expect(problem('yesterday')).toBe(
      'is not a valid time (expected ISO 8601 with a time zone, or an epoch number)',
    );
    expect(problem('')).toBe(
      'is not a valid time (expected ISO 8601 with a time zone, or an epoch number)',
    );
  });

  it('rejects ISO times without a zone', () => {
    expect(problem('2022-08-11T19:40:00')).toBe(
      'is not a valid time (expected ISO 8601 with a time zone, or an epoch number)',
    );
  });

  it('rejects impossible dates', () => {
    const impossible = 'is not a valid time (no such date or time of day)';
    expect(problem('2023-02-29T00:00:00Z')).toBe(impossible);
    expect(problem('2023-02-30T00:00:00Z')).toBe(impossible);
    expect(problem('2023-13-01T00:00:00Z')).toBe(impossible);
    expect(problem('2023-04-31T00:00:00Z')).toBe(impossible);
    expect(problem('2023-01-01T24:00:00Z')).toBe(impossible);
    expect(problem('2023-01-01T12:60:00Z')).toBe(impossible);
    expect(problem('2023-01-01T12:00:60Z')).toBe(impossible);
    expect(problem('2023-01-01T12:00:00+25:00')).toBe(
      'is not a valid time (invalid time zone offset)',
    );
  });

  it('rejects zero and negative epochs', () => {
    expect(problem(0)).toBe('is not a valid time (expected a positive epoch number)');
    expect(problem(-1704067200000)).toBe('is not a valid time (expected a positive epoch number)');
    expect(problem(Number.NaN)).toBe('is not a valid time (expected a positive epoch number)');
  });

  it('rejects times outside 2000–2099', () => {
    expect(problem(12345)).toBe(
      'is not a valid time (1970-01-01T03:25:45.000Z is outside 2000–2099)',
    );
    expect(problem('1999-12-31T23:59:59Z')).toBe(
      'is not a valid time (1999-12-31T23:59:59.000Z is outside 2000–2099)',
    );
    expect(problem('2100-01-01T00:00:00Z')).toBe(
      'is not a valid time (2100-01-01T00:00:00.000Z is outside 2000–2099)',
    );
  });

  it('rejects epochs beyond microseconds', () => {
    expect(problem(1743728988934673000)).toBe(
      'is not a valid time (too large for epoch seconds, milliseconds or microseconds)',
    );
  });

  it('rejects other JSON types', () => {
    expect(problem(true)).toBe('is not a valid time (expected an ISO 8601 string or a number)');
    expect(problem(null)).toBe('is not a valid time (expected an ISO 8601 string or a number)');
  });
});

describe('timeField', () => {
  const schema = z.object({ observedAt: timeField });

  it('outputs a Date', () => {
    const result = parseShape(schema, { observedAt: '1704067200000' });
    expect(result).toEqual({ ok: true, data: { observedAt: new Date('2024-01-01T00:00:00Z') } });
  });

  it('names the field and value on rejection', () => {
    expect(parseShape(schema, { observedAt: 'yesterday' })).toEqual({
      ok: false,
      reason:
        'observedAt: "yesterday" is not a valid time (expected ISO 8601 with a time zone, or an epoch number)',
    });
    expect(parseShape(schema, {})).toEqual({ ok: false, reason: 'observedAt: missing' });
    expect(parseShape(schema, { observedAt: false })).toEqual({
      ok: false,
      reason: 'observedAt: false is invalid (expected string or number)',
    });
  });
});
