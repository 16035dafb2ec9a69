import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { acceptedSignals, parseFixture, readFixture } from './fixtures.ts';

const insiderRiskAlert = 'graph/alerts-v2-insider-risk-alert-composed.json';

function alertWith(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...JSON.parse(readFixture(insiderRiskAlert)), ...changes });
}

describe('purview alerts', () => {
  it('parses a single insider risk alert', () => {
    const signals = acceptedSignals(parseFixture('purview', insiderRiskAlert));

    expect(signals).toEqual([
      {
        source: 'purview',
        kind: 'purview.alert',
        externalId: 'ir4f2c9b1e-7d3a-4e5b-9c1f-2a8d6e0b7c35',
        subject: {
          email: 'bob@example.com',
          externalIds: [
            '6a0f3b2e-1c4d-4e5f-8a9b-0c1d2e3f4a5b',
            's-1-5-21-1004336348-1177238915-682003330-1104',
            'bob',
          ],
          displayName: 'Bob Example',
        },
        // firstActivityDateTime, 7 fractional digits.
        observedAt: '2026-11-19T22:41:17.440Z',
        severity: 'high',
        riskScore: null,
        title: 'Data theft by departing users',
        indicators: ['Exfiltration', 'T1567.002'],
        files: [
          {
            name: 'pricing-2027.xlsx',
            path: 'https://example.sharepoint.com/sites/finance/Shared Documents',
            sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
            md5: null,
            category: null,
            sizeBytes: 48213,
          },
          {
            name: 'roadmap.pptx',
            path: 'https://example.sharepoint.com/sites/product/Shared Documents',
            sha256: null,
            md5: null,
            category: null,
            sizeBytes: null,
          },
        ],
        destination: { category: 'Cloud application', name: 'Dropbox' },
      },
    ]);
  });

  it('uses createdDateTime without a first activity', () => {
    const text = alertWith({ firstActivityDateTime: null });

    const [signal] = acceptedSignals(parseFeed('purview', text));

    expect(signal?.observedAt).toBe('2026-11-20T09:14:03.123Z');
  });

  it('maps every severity', () => {
    const severityOf = (severity: string) =>
      acceptedSignals(parseFeed('purview', alertWith({ severity })))[0]?.severity;

    expect(
      ['informational', 'low', 'medium', 'high', 'unknown', 'unknownFutureValue'].map(severityOf),
    ).toEqual(['info', 'low', 'medium', 'high', 'medium', 'medium']);
  });

  it('rejects an unknown severity', () => {
    expect(parseFeed('purview', alertWith({ severity: 'critical' })).rejected).toEqual([
      {
        index: 0,
        reason:
          'severity: "critical" is not one of "unknown", "informational", "low", "medium", "high", "unknownFutureValue"',
      },
    ]);
  });

  it('accepts every detection source', () => {
    const { members } = JSON.parse(readFixture('graph/alerts-v2-detection-source-enum.json')) as {
      members: string[];
    };
    const list = {
      value: members.map((detectionSource) => ({ ...JSON.parse(alertWith({})), detectionSource })),
    };

    const result = parseFeed('purview', JSON.stringify(list));

    expect(members).toContain('microsoftInsiderRiskManagement');
    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((record) => record.index)).toEqual(members.map((_, index) => index));
  });

  it('rejects the docs example without a person', () => {
    const result = parseFixture('purview', 'graph/alerts-v2-list-response-docs-example.json');

    // Its only account is NT AUTHORITY\SYSTEM (S-1-5-18), the operating system itself.
    expect(result.accepted).toEqual([]);
    expect(result.rejected).toEqual([
      {
        index: 0,
        reason:
          'evidence: names no person (no userEvidence or userAccount other than a built-in system account)',
      },
    ]);
  });

  it('reads files and times of the docs example', () => {
    const list = JSON.parse(readFixture('graph/alerts-v2-list-response-docs-example.json'));
    list.value[0].evidence.push({
      '@odata.type': '#microsoft.graph.security.userEvidence',
      userAccount: { accountName: 'CAROL', domainName: 'EXAMPLE', userPrincipalName: null },
    });

    const [signal] = acceptedSignals(parseFeed('purview', JSON.stringify(list)));

    expect(signal?.subject).toEqual({ email: null, externalIds: ['carol'], displayName: null });
    expect(signal?.observedAt).toBe('2021-04-26T07:45:50.116Z');
    expect(signal?.severity).toBe('low');
    expect(signal?.indicators).toEqual(['DefenseEvasion', 'T1564.001']);
    expect(signal?.files).toEqual([
      {
        name: 'MsSense.exe',
        path: 'C:\\Program Files\\temp',
        sha256: '8963a19fb992ad9a76576c5638fd68292cffb9aaac29eb8285f9abf6196a7dec',
        md5: null,
        category: null,
        sizeBytes: 6136392,
      },
    ]);
    expect(signal?.destination).toBeNull();
  });

  it('rejects a file hash that is not hex', () => {
    const alert = JSON.parse(readFixture(insiderRiskAlert));
    alert.evidence[1].fileDetails.sha256 = 'not-a-hash';
    alert.evidence[2].fileDetails.md5 = 'D41D8CD98F00B204E9800998ECF8427';

    expect(parseFeed('purview', JSON.stringify(alert)).rejected).toEqual([
      {
        index: 0,
        reason:
          'evidence[1].fileDetails.sha256: "not-a-hash" is not a SHA-256 (64 hex digits); evidence[2].fileDetails.md5: "D41D8CD98F00B204E9800998ECF8427" is not an MD5 (32 hex digits)',
      },
    ]);
  });

  it('accepts an empty file hash', () => {
    const alert = JSON.parse(readFixture(insiderRiskAlert));
    alert.evidence[1].fileDetails.sha256 = '';
    alert.evidence[2].fileDetails.md5 = 'D41D8CD98F00B204E9800998ECF8427E';

    const [signal] = acceptedSignals(parseFeed('purview', JSON.stringify(alert)));

    expect(signal?.files.map((file) => [file.sha256, file.md5])).toEqual([
      [null, null],
      [null, 'd41d8cd98f00b204e9800998ecf8427e'],
    ]);
  });

  it('rejects a bad created time', () => {
    const text = alertWith({
      firstActivityDateTime: null,
      createdDateTime: '2026-02-30T09:14:03.1234567Z',
    });

    expect(parseFeed('purview', text).rejected).toEqual([
      {
        index: 0,
        reason:
          'createdDateTime: "2026-02-30T09:14:03.1234567Z" is not a valid time (no such date or time of day)',
      },
    ]);
  });
});
