import type { FeedParser, RecordOutcome } from './feed-parser.ts';
import { parseShape } from './feed-parser.ts';
import { buildSubject, distinct, normaliseHash } from './subject.ts';
import { webhookSignalSchema } from './webhook-schema.ts';

/**
 * Reads the generic webhook format (kind `webhook.signal`): one object, an array of them or
 * NDJSON. The format has no page wrapper.
 */
export const webhookParser: FeedParser = {
  recordParser: () => parseWebhookSignal,
  readPage: () => null,
  unknownRecordReason: 'record is not a webhook signal',
};

function parseWebhookSignal(record: unknown): RecordOutcome {
  const parsed = parseShape(webhookSignalSchema, record);
  if (!parsed.ok) return parsed;
  const signal = parsed.data;

  const subject = buildSubject({
    email: signal.subject.email,
    ids: signal.subject.ids,
    displayName: signal.subject.name,
  });
  if (subject === null) return { ok: false, reason: 'subject: needs an email or at least one id' };

  return {
    ok: true,
    signal: {
      source: 'webhook',
      kind: 'webhook.signal',
      externalId: signal.id,
      subject,
      observedAt: signal.observedAt,
      severity: signal.severity,
      riskScore: signal.riskScore ?? null,
      title: signal.title,
      indicators: distinct(signal.indicators ?? []),
      files: (signal.files ?? []).map((file) => ({
        name: file.name ?? null,
        path: file.path ?? null,
        sha256: normaliseHash(file.sha256),
        md5: normaliseHash(file.md5),
        category: file.category ?? null,
        sizeBytes: file.sizeBytes ?? null,
      })),
      destination:
        signal.destination == null
          ? null
          : {
              category: signal.destination.category ?? null,
              name: signal.destination.name ?? null,
            },
      raw: record,
    },
  };
}
