import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { acceptedSignals, parseFixture } from './fixtures.ts';

describe('exabeam notable users', () => {
  it('parses the notable users response', () => {
    const signals = acceptedSignals(
      parseFixture('exabeam', 'exabeam/aa-notable-users-response.json'),
    );

    const notableUser = (username: string, displayName: string, riskScore: number) => ({
      source: 'exabeam',
      kind: 'exabeam.notable-user',
      externalId: username,
      subject: { email: 'user@example.com', externalIds: [username], displayName },
      // highestRiskSession.startTime; its endTime is 0 and is not read.
      observedAt: '2024-06-25T16:13:04.447Z',
      riskScore,
      title: `Exabeam notable user (risk score ${riskScore})`,
      indicators: [],
      files: [],
      destination: null,
    });
    expect(signals).toEqual([
      { ...notableUser('new_username_risky', 'Alice Example', 95.5), severity: 'medium' },
      { ...notableUser('old_username_risky', 'Alice Example2', 98), severity: 'medium' },
      { ...notableUser('username_not_risky', 'Alice Example2', 85.5), severity: 'low' },
    ]);
  });

  it('falls back to the last activity time', () => {
    const record = {
      user: { username: 'Lchen', riskScore: 150, lastActivityTime: '1764547200000', info: {} },
    };

    const [signal] = acceptedSignals(parseFeed('exabeam', JSON.stringify(record)));

    expect(signal?.observedAt).toBe('2025-12-01T00:00:00.000Z');
    expect(signal?.severity).toBe('high');
    expect(signal?.subject).toEqual({ email: null, externalIds: ['lchen'], displayName: null });
  });

  it('rejects a user without a username', () => {
    const record = { user: { username: ' ', riskScore: 150, lastActivityTime: 1764547200000 } };

    expect(parseFeed('exabeam', JSON.stringify(record)).rejected).toEqual([
      {
        index: 0,
        reason: 'user.username: " " is invalid (must not be empty)',
      },
    ]);
  });
});

describe('exabeam sessions', () => {
  it('parses notable sessions with the users map', () => {
    const signals = acceptedSignals(
      parseFixture('exabeam', 'exabeam/aa-notable-sessions-response.json'),
    );

    expect(signals).toEqual([
      {
        source: 'exabeam',
        kind: 'exabeam.session',
        externalId: 'session1',
        // Found under the map key "alegacy" by its inner username; "test@.com" is no address.
        subject: { email: null, externalIds: ['username1'], displayName: 'user username1' },
        observedAt: '2020-07-02T15:34:00.000Z',
        severity: 'medium',
        riskScore: 110,
        title: 'Exabeam session (risk score 110)',
        indicators: [],
        files: [],
        destination: null,
      },
      {
        source: 'exabeam',
        kind: 'exabeam.session',
        externalId: 'session2',
        subject: { email: null, externalIds: ['username2'], displayName: 'user username2' },
        observedAt: '2020-07-02T09:33:00.000Z',
        severity: 'critical',
        riskScore: 313,
        title: 'Exabeam session (risk score 313)',
        indicators: [],
        files: [],
        destination: null,
      },
    ]);
  });

  it('parses session info with string times', () => {
    const signals = acceptedSignals(
      parseFixture('exabeam', 'exabeam/aa-session-info-response.json'),
    );

    expect(signals).toEqual([
      {
        source: 'exabeam',
        kind: 'exabeam.session',
        externalId: 'dummy-20200601143100',
        subject: { email: null, externalIds: ['dummy'], displayName: null },
        observedAt: '2020-06-01T14:31:00.000Z',
        severity: 'info',
        riskScore: 0,
        title: 'Exabeam session (risk score 0)',
        indicators: [],
        files: [],
        destination: null,
      },
    ]);
  });

  it('maps risk scores to severities', () => {
    const severityOf = (riskScore: number) => {
      const session = { sessionId: 's', username: 'u', startTime: 1764547200000, riskScore };
      return acceptedSignals(parseFeed('exabeam', JSON.stringify(session)))[0]?.severity;
    };

    expect([0, 1, 89.9, 90, 149, 150, 299, 300, 1000].map(severityOf)).toEqual([
      'info',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'critical',
      'critical',
    ]);
  });
});

describe('exabeam incidents', () => {
  it('rejects incidents that name no user', () => {
    const result = parseFixture('exabeam', 'exabeam/aa-incident-responder-incidents-page.json');

    expect(result.accepted).toEqual([]);
    expect(result.rejected).toEqual(
      [0, 1, 2].map((index) => ({
        index,
        reason: 'baseFields.users: missing or empty; the incident names no user',
      })),
    );
  });

  it('parses an incident with users', () => {
    const incident = {
      incidentId: 'SOC-500',
      name: 'Exabeam Alert Data exfiltration found',
      baseFields: {
        priority: 'high',
        startedDate: 1671029190000,
        createdAt: 1671029352109,
        users: ['Sam.Ortiz@Example.com', 'lee.chen@example.com'],
      },
    };

    expect(acceptedSignals(parseFeed('exabeam', JSON.stringify(incident)))).toEqual([
      {
        source: 'exabeam',
        kind: 'exabeam.incident',
        externalId: 'SOC-500',
        subject: { email: 'sam.ortiz@example.com', externalIds: [], displayName: null },
        observedAt: '2022-12-14T14:46:30.000Z',
        severity: 'high',
        riskScore: null,
        title: 'Exabeam Alert Data exfiltration found',
        indicators: [],
        files: [],
        destination: null,
      },
    ]);
  });

  it('rejects an unknown priority', () => {
    const incident = {
      incidentId: 'SOC-501',
      baseFields: { priority: 'urgent', startedDate: 1671029190000, users: ['sam'] },
    };

    expect(parseFeed('exabeam', JSON.stringify(incident)).rejected).toEqual([
      {
        index: 0,
        reason: 'baseFields.priority: "urgent" is not one of "LOW", "MEDIUM", "HIGH", "CRITICAL"',
      },
    ]);
  });
});

describe('exabeam cases', () => {
  it('rejects corpus rows that name no user', () => {
    const result = parseFixture('exabeam', 'exabeam/newscale-case-search-duplicate-rows.json');

    expect(result.accepted).toEqual([]);
    expect(result.rejected).toEqual(
      [0, 1, 2, 3].map((index) => ({
        index,
        reason: 'users: missing or empty; the case names no user',
      })),
    );
  });

  it('parses both duplicated rows', () => {
    const signals = acceptedSignals(
      parseFixture('exabeam', 'exabeam/newscale-case-search-with-users-composed.json'),
    );

    const caseB = {
      source: 'exabeam',
      kind: 'exabeam.case',
      externalId: 'B',
      subject: { email: 'bob@example.com', externalIds: [], displayName: null },
      observedAt: '2025-04-04T01:09:51.877Z',
      riskScore: 55,
      title: 'Mass download from file share',
      indicators: ['First access to share', 'Data Exfiltration'],
      files: [],
      destination: null,
    };
    expect(signals).toEqual([
      {
        source: 'exabeam',
        kind: 'exabeam.case',
        externalId: 'A',
        subject: { email: null, externalIds: ['alice'], displayName: null },
        // caseCreationTimestamp in microseconds.
        observedAt: '2025-04-04T01:09:48.934Z',
        severity: 'medium',
        riskScore: 42,
        title: 'Large upload to personal cloud storage',
        indicators: ['Abnormal upload volume', 'Data Exfiltration'],
        files: [],
        destination: null,
      },
      { ...caseB, severity: 'medium' },
      { ...caseB, severity: 'low' },
      {
        source: 'exabeam',
        kind: 'exabeam.case',
        externalId: 'C',
        subject: { email: null, externalIds: ['dave'], displayName: null },
        // approxLogTime, a numeric string of microseconds, wins over the creation time.
        observedAt: '2025-05-20T01:53:20.000Z',
        severity: 'high',
        riskScore: 80,
        title: 'Printing of classified documents',
        indicators: [],
        files: [],
        destination: null,
      },
    ]);
  });
});

describe('exabeam other records', () => {
  it('rejects an unknown record', () => {
    expect(parseFeed('exabeam', '{"watchlistId":"w-1"}').rejected).toEqual([
      {
        index: 0,
        reason:
          'record is not an Exabeam notable user (user), session (sessionId), incident (incidentId) or case (caseId)',
      },
    ]);
  });
});
