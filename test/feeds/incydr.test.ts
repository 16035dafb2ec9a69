import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { acceptedSignals, parseFixture, readFixture } from './fixtures.ts';

describe('incydr sessions', () => {
  it('parses a sessions page', () => {
    const signals = acceptedSignals(parseFixture('incydr', 'incydr/sessions-v1-page.json'));

    expect(signals).toEqual([
      {
        source: 'incydr',
        kind: 'incydr.session',
        externalId: '123-session-1',
        subject: {
          email: null,
          externalIds: ['123-session-1', 'test_actor_name'],
          displayName: null,
        },
        observedAt: '2024-01-01T00:00:00.000Z',
        severity: 'info',
        riskScore: 0,
        title: 'rule name',
        indicators: ['rule name', 'string', 'PII'],
        files: [],
        destination: null,
      },
    ]);
  });

  it('parses the XSOAR single session', () => {
    const result = parseFixture('incydr', 'incydr/sessions-v1-session-xsoar.json');

    expect(acceptedSignals(result)).toEqual([
      {
        source: 'incydr',
        kind: 'incydr.session',
        externalId: 'sessionid-abc-1',
        subject: { email: null, externalIds: ['someactorid'], displayName: null },
        // beginTime, not firstObserved (which is later than lastUpdated in this payload).
        observedAt: '2024-09-11T19:26:00.680Z',
        severity: 'medium',
        riskScore: 5,
        title: 'document file(s) shared via link from corporate Box',
        indicators: ['Document', 'PII'],
        files: [],
        destination: null,
      },
    ]);
    expect(result.accepted[0]?.index).toBe(0);
    expect(result.accepted[0]?.signal.raw).toEqual(
      JSON.parse(readFixture('incydr/sessions-v1-session-xsoar.json')),
    );
  });

  it('takes the latest score and an e-mail actor name', () => {
    const session = {
      sessionId: 's-2',
      actorId: 'ACTOR-7',
      actorName: 'Dana.Lee@Example.com',
      beginTime: 1764547200000,
      scores: [
        { score: 12, severity: 4, sourceTimestamp: 1764547300000 },
        { score: 3, severity: 1, sourceTimestamp: 1764547200000 },
      ],
    };

    const [signal] = acceptedSignals(parseFeed('incydr', JSON.stringify(session)));

    expect(signal?.subject).toEqual({
      email: 'dana.lee@example.com',
      externalIds: ['actor-7'],
      displayName: null,
    });
    expect(signal?.severity).toBe('critical');
    expect(signal?.riskScore).toBe(12);
    expect(signal?.title).toBe('Incydr session');
  });

  it('maps every numeric severity', () => {
    const severities = [0, 1, 2, 3, 4].map((severity) => {
      const session = {
        sessionId: `s-${severity}`,
        actorId: 'a',
        beginTime: 1764547200000,
        scores: [{ score: 1, severity, sourceTimestamp: 1 }],
      };
      return acceptedSignals(parseFeed('incydr', JSON.stringify(session)))[0]?.severity;
    });

    expect(severities).toEqual(['info', 'low', 'medium', 'high', 'critical']);
  });

  it('rejects a session without an actor', () => {
    const session = { sessionId: 's-3', beginTime: 1764547200000, scores: [{ severity: 1 }] };

    expect(parseFeed('incydr', JSON.stringify(session)).rejected).toEqual([
      {
        index: 0,
        reason: 'actorId: missing, and actorName is missing too; the session has no subject',
      },
    ]);
  });

  it('rejects a zero begin time', () => {
    const session = { sessionId: 's-4', actorId: 'a', beginTime: 0, scores: [{ severity: 1 }] };

    expect(parseFeed('incydr', JSON.stringify(session)).rejected).toEqual([
      { index: 0, reason: 'beginTime: 0 is not a valid time (expected a positive epoch number)' },
    ]);
  });

  it('rejects an out-of-range severity', () => {
    const session = {
      sessionId: 's-5',
      actorId: 'a',
      beginTime: 1764547200000,
      scores: [{ severity: 7 }],
    };

    expect(parseFeed('incydr', JSON.stringify(session)).rejected).toEqual([
      { index: 0, reason: 'scores[0].severity: 7 is invalid (must be an integer from 0 to 4)' },
    ]);
  });
});

describe('incydr alerts', () => {
  it('parses the v1 alert query page', () => {
    const signals = acceptedSignals(parseFixture('incydr', 'incydr/alerts-v1-query-response.json'));

    expect(signals).toEqual([
      {
        source: 'incydr',
        kind: 'incydr.alert',
        externalId: 'd020eee5-0a2d-4255-9f09-83aa7015dabc',
        subject: { email: 'user@example.com', externalIds: ['8675309'], displayName: null },
        observedAt: '2022-09-15T20:48:25.519Z',
        severity: 'critical',
        riskScore: null,
        title: 'Source Alert',
        indicators: [],
        files: [],
        destination: null,
      },
      {
        source: 'incydr',
        kind: 'incydr.alert',
        externalId: '259a5d1a-8cbb-45e2-af94-28a3a55f2902',
        subject: { email: 'user@example.com', externalIds: ['8675309'], displayName: null },
        observedAt: '2022-09-15T20:48:25.575Z',
        severity: 'critical',
        riskScore: null,
        title: 'Test Alerts',
        indicators: [],
        files: [],
        destination: null,
      },
    ]);
  });

  it('parses v1 alert details with encoded observations', () => {
    const signals = acceptedSignals(
      parseFixture('incydr', 'incydr/alerts-v1-details-response.json'),
    );

    expect(signals).toEqual([
      {
        source: 'incydr',
        kind: 'incydr.alert',
        externalId: '7239dede-da58-4214-8bc0-275e0ba8fda5',
        subject: {
          email: 'user@example.com',
          externalIds: ['1050590243935435820'],
          displayName: null,
        },
        // The observation's 7-digit fractional observedAt, not the alert's createdAt.
        observedAt: '2022-08-11T19:40:00.000Z',
        severity: 'low',
        riskScore: 3,
        title: 'Test Alerts',
        indicators: ['Spreadsheet', 'Remote', 'Slack upload'],
        files: [
          {
            name: 'quarterly_results.csv',
            path: '/Users/user/Downloads/',
            sha256: null,
            md5: null,
            category: 'Spreadsheet',
            sizeBytes: 50661,
          },
        ],
        destination: { category: 'Messaging', name: 'Slack' },
      },
      {
        source: 'incydr',
        kind: 'incydr.alert',
        externalId: '8bcaef3b-4aa7-46ab-85ae-a2a0191927d9',
        subject: {
          email: 'user@example.com',
          externalIds: ['1050590243935435820'],
          displayName: null,
        },
        observedAt: '2022-08-09T13:40:00.000Z',
        // riskSeverity CRITICAL wins over the rule's severity HIGH.
        severity: 'critical',
        riskScore: 9,
        title: 'Test Alerts',
        indicators: ['Remote', 'Slack upload', 'First use of destination', 'Source code'],
        files: [
          {
            name: 'source.py',
            path: '/Users/user/Downloads/',
            sha256: null,
            md5: null,
            category: 'SourceCode',
            sizeBytes: 15116,
          },
        ],
        destination: { category: 'Messaging', name: 'Slack' },
      },
    ]);
  });

  it('keeps the encoded and decoded data in raw', () => {
    const result = parseFixture('incydr', 'incydr/alerts-v1-details-response.json');
    const raw = result.accepted[0]?.signal.raw as {
      observations: {
        data: string;
        dataDecoded: { fileCount: number; sendingIpAddresses: string[] };
      }[];
    };

    expect(typeof raw.observations[0]?.data).toBe('string');
    expect(raw.observations[0]?.dataDecoded.fileCount).toBe(1);
    expect(raw.observations[0]?.dataDecoded.sendingIpAddresses).toEqual(['65.29.159.48']);
  });

  it('rejects observation data that is not JSON', () => {
    const alert = {
      id: 'alert-1',
      actor: 'user@example.com',
      riskSeverity: 'HIGH',
      createdAt: '2022-08-11T20:30:29.789018Z',
      observations: [{ id: 'o-1', observedAt: '2022-08-11T19:40:00.0000000Z', data: '{"files":[' }],
    };

    const [rejected] = parseFeed('incydr', JSON.stringify(alert)).rejected;

    expect(rejected?.index).toBe(0);
    expect(rejected?.reason).toMatch(/^observations\[0\]\.data: the string is not valid JSON \(/);
  });

  it('rejects decoded data of the wrong shape', () => {
    const alert = {
      id: 'alert-2',
      actor: 'user@example.com',
      riskSeverity: 'HIGH',
      createdAt: '2022-08-11T20:30:29.789018Z',
      observations: [{ id: 'o-1', data: '{"files":[{"size":"big"}]}' }],
    };

    expect(parseFeed('incydr', JSON.stringify(alert)).rejected).toEqual([
      {
        index: 0,
        reason: 'observations[0].data (decoded): files[0].size: "big" is invalid (expected number)',
      },
    ]);
  });

  it('rejects an unknown severity name', () => {
    const alert = {
      id: 'alert-3',
      actor: 'user@example.com',
      riskSeverity: 'SEVERE',
      createdAt: '2022-08-11T20:30:29Z',
    };

    expect(parseFeed('incydr', JSON.stringify(alert)).rejected).toEqual([
      {
        index: 0,
        reason:
          'riskSeverity: "SEVERE" is not an Incydr severity; expected NO_RISK, LOW, MODERATE, MEDIUM, HIGH or CRITICAL',
      },
    ]);
  });
});

describe('incydr file events', () => {
  it('parses the endpoint Dropbox event', () => {
    const signals = acceptedSignals(
      parseFixture('incydr', 'incydr/file-events-v2-search-endpoint-dropbox.json'),
    );

    expect(signals).toEqual([
      {
        source: 'incydr',
        kind: 'incydr.file-event',
        externalId: '2-event-id-100',
        subject: {
          email: 'engineer@example.com',
          externalIds: ['1068824450489230065'],
          displayName: null,
        },
        observedAt: '2022-07-14T16:53:06.112Z',
        severity: 'critical',
        riskScore: 17,
        title: 'Incydr file event: application-read',
        indicators: [
          'First use of destination',
          'File mismatch',
          'Spreadsheet',
          'Remote',
          'Dropbox upload',
        ],
        files: [
          {
            name: 'cat.jpg',
            path: 'C:/Users/Alice Example/Downloads/',
            sha256: '14d749cce008711b4ad1381d84374539560340622f0e8b9eb2fe3bba77ddbd64',
            md5: '8872dfa1c181b823d2c00675ae5926fd',
            category: 'Spreadsheet',
            sizeBytes: 4748,
          },
        ],
        destination: { category: 'Cloud Storage', name: 'Dropbox' },
      },
    ]);
  });

  it('parses SaaS events with null hashes', () => {
    const signals = acceptedSignals(
      parseFixture('incydr', 'incydr/file-events-v2-search-saas-salesforce-gmail.json'),
    );

    expect(signals).toEqual([
      {
        source: 'incydr',
        kind: 'incydr.file-event',
        externalId: '0106499c-89d0-4809-bef8-f647a6059982_EPS',
        subject: {
          email: 'carol@example.com',
          externalIds: ['1004440923549707297'],
          displayName: null,
        },
        observedAt: '2022-12-09T19:03:11.954Z',
        severity: 'medium',
        riskScore: 6,
        title: 'Incydr file event: file-downloaded',
        indicators: ['Download to unmonitored device from corporate Salesforce', 'Spreadsheet'],
        files: [
          {
            name: 'New Contacts & Accounts Report-2022-12-09-11-03-08.xlsx',
            path: null,
            sha256: null,
            md5: null,
            category: 'Spreadsheet',
            sizeBytes: null,
          },
        ],
        destination: { category: 'Device', name: 'Unmonitored Device' },
      },
      {
        source: 'incydr',
        kind: 'incydr.file-event',
        externalId: '03bdf601-3f28-42b5-94e0-cd1a6dddd9c2',
        subject: {
          email: 'dave@example.com',
          externalIds: ['1004440649225448481'],
          displayName: null,
        },
        observedAt: '2023-02-07T17:33:52.000Z',
        severity: 'high',
        riskScore: 7,
        title: 'Incydr file event: file-emailed',
        indicators: ['Contract', 'Sent from corporate Gmail', 'Source code'],
        files: [
          {
            name: '1675791199 setup.py',
            path: null,
            sha256: '73620a0a8554a56e93b90fe2c8a3f732be881a7da930603a5c6e4c9207fee2d5',
            md5: '6bf85ff9edc620c7ba9b57ab3b752c11',
            category: 'SourceCode',
            sizeBytes: 2722,
          },
        ],
        destination: null,
      },
    ]);
  });

  it('rejects the invalid JSON escape file', () => {
    const result = parseFixture('incydr', 'incydr/file-events-v2-invalid-json-escape.txt');

    expect(result.accepted).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/^input is not valid JSON: Bad escaped character/);
    expect(result.rejected[0]?.reason).toContain('line 41 column 27');
  });

  it('rejects an event without a user', () => {
    const page = JSON.parse(readFixture('incydr/file-events-v2-search-endpoint-dropbox.json'));
    page.fileEvents[0].user = { email: null, id: null, deviceUid: '1' };

    expect(parseFeed('incydr', JSON.stringify(page)).rejected).toEqual([
      { index: 0, reason: 'user.email: missing, and user.id is missing too' },
    ]);
  });
});

describe('incydr file event hashes', () => {
  const sha256 = '14d749cce008711b4ad1381d84374539560340622f0e8b9eb2fe3bba77ddbd64';
  const md5 = '8872dfa1c181b823d2c00675ae5926fd';
  const notSha256 = (value: string) =>
    `file.hash.sha256: "${value}" is not a SHA-256 (64 hex digits)`;
  const notMd5 = (value: string) => `file.hash.md5: "${value}" is not an MD5 (32 hex digits)`;

  /** Parses the Dropbox page with its event's file hash replaced. */
  const parseWithHash = (hash: Record<string, unknown>) => {
    const page = JSON.parse(readFixture('incydr/file-events-v2-search-endpoint-dropbox.json'));
    page.fileEvents[0].file.hash = hash;
    return parseFeed('incydr', JSON.stringify(page));
  };

  it.each([
    ['sha256 not hex', { sha256: 'not-a-hash', md5 }, notSha256('not-a-hash')],
    ['sha256 one short', { sha256: sha256.slice(1), md5 }, notSha256(sha256.slice(1))],
    ['sha256 one long', { sha256: `${sha256}0`, md5 }, notSha256(`${sha256}0`)],
    ['sha256 with a g', { sha256: `${sha256.slice(1)}g`, md5 }, notSha256(`${sha256.slice(1)}g`)],
    ['sha256 given an MD5', { sha256: md5, md5 }, notSha256(md5)],
    ['md5 not hex', { sha256, md5: 'xyz' }, notMd5('xyz')],
    ['md5 given a SHA-256', { sha256, md5: sha256 }, notMd5(sha256)],
  ])('rejects %s', (_case, hash, reason) => {
    const result = parseWithHash(hash);

    expect(result.accepted).toEqual([]);
    expect(result.rejected).toEqual([{ index: 0, reason }]);
  });

  it('rejects a hash of another type', () => {
    const result = parseWithHash({ sha256: 42, md5 });

    expect(result.rejected).toEqual([
      { index: 0, reason: 'file.hash.sha256: 42 is invalid (expected string)' },
    ]);
  });

  it.each([
    ['null hashes', { sha256: null, md5: null }, null, null],
    ['absent hashes', {}, null, null],
    ['empty hashes', { sha256: '', md5: '  ' }, null, null],
    [
      'padded upper case',
      { sha256: ` ${sha256.toUpperCase()} `, md5: md5.toUpperCase() },
      sha256,
      md5,
    ],
  ])('accepts %s', (_case, hash, storedSha256, storedMd5) => {
    const [signal] = acceptedSignals(parseWithHash(hash));

    expect(signal?.files[0]?.sha256).toBe(storedSha256);
    expect(signal?.files[0]?.md5).toBe(storedMd5);
  });
});

describe('incydr other records', () => {
  it('rejects a case record', () => {
    expect(parseFixture('incydr', 'incydr/cases-v1-case-detail.json').rejected).toEqual([
      {
        index: 0,
        reason:
          'record is not an Incydr session (sessionId), alert (id and actor) or file event (@timestamp and event.id)',
      },
    ]);
  });
});
