import { z } from 'zod';
import { parseShape, type RecordOutcome } from './feed-parser.ts';
import { optionalMd5, optionalSha256, optionalText, requiredText } from './fields.ts';
import { severityFromIncydrName, unknownIncydrSeverity } from './incydr-severity.ts';
import { buildSubject, distinct, normaliseHash } from './subject.ts';
import { timeField } from './time.ts';

const fileEventSchema = z.object({
  '@timestamp': timeField,
  event: z.object({ id: requiredText, action: optionalText }),
  user: z.object({ email: optionalText, id: optionalText }).nullish(),
  file: z
    .looseObject({
      name: optionalText,
      directory: optionalText,
      category: optionalText,
      sizeInBytes: z.number().nullish(),
      hash: z.object({ md5: optionalMd5, sha256: optionalSha256 }).nullish(),
    })
    .nullish(),
  destination: z.object({ category: optionalText, name: optionalText }).nullish(),
  risk: z.object({
    score: z.number().nullish(),
    severity: z.string(),
    indicators: z.array(z.object({ name: optionalText })).nullish(),
  }),
});

/** Parses an Incydr v2 file event, as the file-events search returns it. */
export function parseIncydrFileEvent(record: unknown): RecordOutcome {
  const parsed = parseShape(fileEventSchema, record);
  if (!parsed.ok) return parsed;
  const event = parsed.data;

  const subject = buildSubject({ email: event.user?.email, ids: [event.user?.id] });
  if (subject === null) {
    return { ok: false, reason: 'user.email: missing, and user.id is missing too' };
  }

  const severity = severityFromIncydrName(event.risk.severity);
  if (severity === null) {
    return {
      ok: false,
      reason: `risk.severity: ${unknownIncydrSeverity(event.risk.severity)}`,
    };
  }

  const file = event.file;
  const destination = event.destination;
  const hasDestination = destination?.category != null || destination?.name != null;
  return {
    ok: true,
    signal: {
      source: 'incydr',
      kind: 'incydr.file-event',
      externalId: event.event.id,
      subject,
      observedAt: event['@timestamp'],
      severity,
      riskScore: event.risk.score ?? null,
      title: `Incydr file event: ${event.event.action ?? 'unknown action'}`,
      indicators: distinct((event.risk.indicators ?? []).map((indicator) => indicator.name)),
      files:
        file == null
          ? []
          : [
              {
                name: file.name ?? null,
                path: file.directory ?? null,
                sha256: normaliseHash(file.hash?.sha256),
                md5: normaliseHash(file.hash?.md5),
                category: file.category ?? null,
                sizeBytes: file.sizeInBytes ?? null,
              },
            ],
      destination: hasDestination
        ? { category: destination?.category ?? null, name: destination?.name ?? null }
        : null,
      raw: record,
    },
  };
}
