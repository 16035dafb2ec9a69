import { describe, expect, it } from 'vitest';
import { buildDigest, type DigestRow, digestLineLimit } from '../../src/chat/digest.ts';

const HOUR_MS = 3_600_000;
const now = new Date('2026-12-04T08:30:00Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * HOUR_MS);

const makeRow = (overrides: Partial<DigestRow> = {}): DigestRow => ({
  key: 'CB-0001',
  state: 'hr_review',
  priority: 'medium',
  stateEnteredAt: hoursAgo(5),
  escalateDueAt: null,
  ...overrides,
});

describe('buildDigest', () => {
  it('returns null when nothing waits', () => {
    expect(buildDigest([], 'hr', 'en', now)).toBeNull();
  });

  it('lists cases oldest first', () => {
    const rows = [
      makeRow({ key: 'CB-0003', state: 'follow_up', priority: 'low', stateEnteredAt: hoursAgo(2) }),
      makeRow({
        key: 'CB-0001',
        state: 'hr_review',
        priority: 'high',
        stateEnteredAt: hoursAgo(130),
        escalateDueAt: hoursAgo(10),
      }),
      makeRow({
        key: 'CB-0002',
        state: 'action',
        priority: 'critical',
        stateEnteredAt: hoursAgo(47.9),
      }),
    ];

    const text = buildDigest(rows, 'hr', 'en', now);

    expect(text?.split('\n')).toEqual([
      'Waiting on HR: 3 cases',
      'CB-0001 · HR review · High · waiting for 5 days · overdue',
      'CB-0002 · Approved action pending · Critical · waiting for 47 h',
      'CB-0003 · HR follow-up · Low · waiting for 2 h',
    ]);
  });

  it('marks overdue once escalation is due', () => {
    const entered = { state: 'triage' as const, stateEnteredAt: hoursAgo(72) };
    const before = buildDigest(
      [makeRow({ ...entered, escalateDueAt: new Date(now.getTime() + 1) })],
      'security',
      'en',
      now,
    );
    const at = buildDigest([makeRow({ ...entered, escalateDueAt: now })], 'security', 'en', now);
    const none = buildDigest([makeRow({ ...entered, escalateDueAt: null })], 'security', 'en', now);

    expect(before?.split('\n')[1]).toBe('CB-0001 · Triage · Medium · waiting for 3 days');
    expect(at?.split('\n')[1]).toBe('CB-0001 · Triage · Medium · waiting for 3 days · overdue');
    expect(none?.split('\n')[1]).toBe('CB-0001 · Triage · Medium · waiting for 3 days');
  });

  it('uses the singular heading for one case', () => {
    const text = buildDigest([makeRow({ state: 'legal_review' })], 'legal', 'en', now);

    expect(text?.split('\n')[0]).toBe('Waiting on Legal: 1 case');
  });

  it('counts cases past the line limit', () => {
    const rows = Array.from({ length: digestLineLimit + 3 }, (_, index) =>
      makeRow({
        key: `CB-${String(index + 1).padStart(4, '0')}`,
        stateEnteredAt: hoursAgo(100 - index),
      }),
    );

    const lines = buildDigest(rows, 'hr', 'en', now)?.split('\n') ?? [];

    expect(lines[0]).toBe(`Waiting on HR: ${digestLineLimit + 3} cases`);
    expect(lines).toHaveLength(digestLineLimit + 2);
    expect(lines[1]?.startsWith('CB-0001 ·')).toBe(true);
    expect(lines.at(-1)).toBe('…and 3 more cases.');
  });

  it('shows a future entry time as zero hours', () => {
    const text = buildDigest([makeRow({ stateEnteredAt: hoursAgo(-1) })], 'hr', 'en', now);

    expect(text?.split('\n')[1]).toBe('CB-0001 · HR review · Medium · waiting for 0 h');
  });
});
