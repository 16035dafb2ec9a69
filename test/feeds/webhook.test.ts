import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { webhookSignalJsonSchema } from '../../src/feeds/webhook-schema.ts';
import { acceptedSignals } from './fixtures.ts';

const complete = {
  id: 'dlp-7731',
  subject: { email: 'Sam.Ortiz@Example.com', ids: ['SORTIZ', 'sortiz'], name: 'Sam Ortiz' },
  observedAt: '2026-11-30T16:05:09.1234567+01:00',
  severity: 'high',
  riskScore: 71.5,
  title: 'Bulk download from the finance share',
  indicators: ['Bulk download', 'First access to share', 'Bulk download'],
  files: [
    {
      name: 'budget-2027.xlsx',
      path: '\\\\fs01\\finance\\',
      sha256: 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
      md5: 'D41D8CD98F00B204E9800998ECF8427E',
      category: 'Spreadsheet',
      sizeBytes: 0,
    },
    { name: 'notes.txt', sha256: null, md5: null },
  ],
  destination: { category: 'Removable Media', name: 'USB drive' },
  vendorField: { kept: true },
};

function parseOne(changes: Record<string, unknown>) {
  return parseFeed('webhook', JSON.stringify({ ...complete, ...changes }));
}

describe('webhook signals', () => {
  it('parses a complete signal', () => {
    const result = parseFeed('webhook', JSON.stringify(complete));

    expect(acceptedSignals(result)).toEqual([
      {
        source: 'webhook',
        kind: 'webhook.signal',
        externalId: 'dlp-7731',
        subject: {
          email: 'sam.ortiz@example.com',
          externalIds: ['sortiz'],
          displayName: 'Sam Ortiz',
        },
        observedAt: '2026-11-30T15:05:09.123Z',
        severity: 'high',
        riskScore: 71.5,
        title: 'Bulk download from the finance share',
        indicators: ['Bulk download', 'First access to share'],
        files: [
          {
            name: 'budget-2027.xlsx',
            path: '\\\\fs01\\finance\\',
            sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
            md5: 'd41d8cd98f00b204e9800998ecf8427e',
            category: 'Spreadsheet',
            sizeBytes: 0,
          },
          {
            name: 'notes.txt',
            path: null,
            sha256: null,
            md5: null,
            category: null,
            sizeBytes: null,
          },
        ],
        destination: { category: 'Removable Media', name: 'USB drive' },
      },
    ]);
    expect(result.accepted[0]?.signal.raw).toEqual(complete);
  });

  it('parses a minimal signal with epoch milliseconds', () => {
    const minimal = {
      id: 'm-1',
      subject: { ids: ['contractor-x'] },
      observedAt: 1764547200000,
      severity: 'low',
      title: 'Login from a new country',
    };

    expect(acceptedSignals(parseFeed('webhook', JSON.stringify(minimal)))).toEqual([
      {
        source: 'webhook',
        kind: 'webhook.signal',
        externalId: 'm-1',
        subject: { email: null, externalIds: ['contractor-x'], displayName: null },
        observedAt: '2025-12-01T00:00:00.000Z',
        severity: 'low',
        riskScore: null,
        title: 'Login from a new country',
        indicators: [],
        files: [],
        destination: null,
      },
    ]);
  });

  it('rejects a time that is no time', () => {
    expect(parseOne({ observedAt: 'yesterday' }).rejected).toEqual([
      {
        index: 0,
        reason:
          'observedAt: "yesterday" is not a valid time (expected ISO 8601 with a time zone, or an epoch number)',
      },
    ]);
  });

  it('rejects a subject without email or ids', () => {
    expect(parseOne({ subject: { name: 'Someone' } }).rejected).toEqual([
      { index: 0, reason: 'subject: needs an email or at least one id' },
    ]);
    expect(parseOne({ subject: { ids: [] } }).rejected).toEqual([
      { index: 0, reason: 'subject.ids: [] is invalid (must list at least one id)' },
    ]);
  });

  it('rejects a missing subject', () => {
    const { subject: _subject, ...withoutSubject } = complete;

    expect(parseFeed('webhook', JSON.stringify(withoutSubject)).rejected).toEqual([
      { index: 0, reason: 'subject: missing' },
    ]);
  });

  it('rejects invalid field values', () => {
    expect(parseOne({ subject: { email: 'sam@' } }).rejected).toEqual([
      { index: 0, reason: 'subject.email: "sam@" is not a valid email' },
    ]);
    expect(parseOne({ severity: 'urgent' }).rejected).toEqual([
      {
        index: 0,
        reason: 'severity: "urgent" is not one of "info", "low", "medium", "high", "critical"',
      },
    ]);
    expect(parseOne({ files: [{ sha256: 'abc' }] }).rejected).toEqual([
      { index: 0, reason: 'files[0].sha256: "abc" is invalid (must be 64 hexadecimal digits)' },
    ]);
    expect(parseOne({ id: '', title: 42 }).rejected).toEqual([
      {
        index: 0,
        reason: 'id: "" is invalid (must not be empty); title: 42 is invalid (expected string)',
      },
    ]);
  });
});

describe('webhook JSON Schema', () => {
  it('matches the zod schema', async () => {
    // `npx vitest run -u test/feeds/webhook.test.ts` rewrites the file after a schema change.
    const generated = `${JSON.stringify(webhookSignalJsonSchema(), null, 2)}\n`;

    await expect(generated).toMatchFileSnapshot('../../docs/schemas/webhook-signal.schema.json');
  });

  it('is draft 2020-12 and requires a subject id', () => {
    const schema = webhookSignalJsonSchema() as {
      $schema: string;
      required: string[];
      properties: { subject: { anyOf: unknown[] } };
    };

    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['id', 'subject', 'observedAt', 'severity', 'title']);
    expect(schema.properties.subject.anyOf).toEqual([
      { required: ['email'] },
      { required: ['ids'] },
    ]);
  });
});
