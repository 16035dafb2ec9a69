import { z } from 'zod';
import { describeIssues } from './describe-issues.ts';
import { parseShape, type RecordOutcome } from './feed-parser.ts';
import { optionalText, requiredText } from './fields.ts';
import { severityFromIncydrName, unknownIncydrSeverity } from './incydr-severity.ts';
import type { Signal, SignalFile } from './signal.ts';
import { buildSubject, distinct } from './subject.ts';
import { timeField } from './time.ts';

const observationSchema = z.looseObject({
  id: optionalText,
  type: optionalText,
  observedAt: timeField.nullish(),
  // The API sends the observation's details as JSON encoded inside this string.
  data: z.string().nullish(),
});

const alertSchema = z.looseObject({
  id: requiredText,
  name: optionalText,
  actor: optionalText,
  actorId: optionalText,
  severity: optionalText,
  riskSeverity: optionalText,
  createdAt: timeField.nullish(),
  observations: z.array(observationSchema).nullish(),
});

const observationDataSchema = z.looseObject({
  files: z
    .array(
      z.looseObject({
        name: optionalText,
        path: optionalText,
        category: optionalText,
        size: z.number().nullish(),
        riskSeverityInfo: z
          .looseObject({
            score: z.number().nullish(),
            matchedRiskIndicators: z.array(z.looseObject({ name: optionalText })).nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  appReadDetails: z
    .array(z.looseObject({ destinationCategory: optionalText, destinationName: optionalText }))
    .nullish(),
});

type ObservationData = z.output<typeof observationDataSchema>;

/**
 * Parses a legacy Incydr v1 alert: a summary from an alert query, or alert details whose
 * observations carry their data as a JSON string. The raw record keeps each observation's
 * string and adds the decoded object beside it as `dataDecoded`.
 */
export function parseIncydrAlert(record: unknown): RecordOutcome {
  const parsed = parseShape(alertSchema, record);
  if (!parsed.ok) return parsed;
  const alert = parsed.data;

  const decoded = decodeObservations(alert.observations ?? []);
  if (!decoded.ok) return decoded;

  const subject = buildSubject({ email: alert.actor, ids: [alert.actorId] });
  if (subject === null) return { ok: false, reason: 'actor: missing, and actorId is missing too' };

  // Details give a range of observations; the earliest is when the activity began.
  const observationTimes = (alert.observations ?? [])
    .map((observation) => observation.observedAt)
    .filter((time): time is Date => time instanceof Date);
  const observedAt = earliest(observationTimes) ?? alert.createdAt;
  if (observedAt == null) {
    return { ok: false, reason: 'createdAt: missing, and no observation has observedAt' };
  }

  const severityName = alert.riskSeverity ?? alert.severity;
  if (severityName == null) {
    return { ok: false, reason: 'riskSeverity: missing, and severity is missing too' };
  }
  const severity = severityFromIncydrName(severityName);
  if (severity === null) {
    const field = alert.riskSeverity == null ? 'severity' : 'riskSeverity';
    return {
      ok: false,
      reason: `${field}: ${unknownIncydrSeverity(severityName)}`,
    };
  }

  return {
    ok: true,
    signal: {
      source: 'incydr',
      kind: 'incydr.alert',
      externalId: alert.id,
      subject,
      observedAt,
      severity,
      title: alert.name?.trim() || 'Incydr alert',
      ...summariseObservations(decoded.data),
      raw: withDecodedData(record, decoded.raw),
    },
  };
}

/** Collects the files, indicators, highest file score and first destination of the observations. */
function summariseObservations(
  observations: readonly ObservationData[],
): Pick<Signal, 'riskScore' | 'indicators' | 'files' | 'destination'> {
  const observedFiles = observations.flatMap((data) => data.files ?? []);
  const scores = observedFiles
    .map((file) => file.riskSeverityInfo?.score)
    .filter((score): score is number => typeof score === 'number');
  const appRead = observations.flatMap((data) => data.appReadDetails ?? [])[0];

  return {
    // Summaries carry no number; details score each file, and the highest score is kept.
    riskScore: scores.length === 0 ? null : Math.max(...scores),
    indicators: distinct(
      observedFiles.flatMap((file) =>
        (file.riskSeverityInfo?.matchedRiskIndicators ?? []).map((indicator) => indicator.name),
      ),
    ),
    files: observedFiles.map(
      (file): SignalFile => ({
        name: file.name ?? null,
        path: file.path ?? null,
        sha256: null,
        md5: null,
        category: file.category ?? null,
        sizeBytes: file.size ?? null,
      }),
    ),
    destination:
      appRead === undefined
        ? null
        : { category: appRead.destinationCategory ?? null, name: appRead.destinationName ?? null },
  };
}

function decodeObservations(
  observations: readonly { data?: string | null }[],
): { ok: true; data: ObservationData[]; raw: unknown[] } | { ok: false; reason: string } {
  const data: ObservationData[] = [];
  const raw: unknown[] = [];
  for (const [index, observation] of observations.entries()) {
    const field = `observations[${index}].data`;
    if (observation.data == null) {
      data.push({});
      raw.push(null);
      continue;
    }

    let value: unknown;
    try {
      value = JSON.parse(observation.data);
    } catch (error) {
      return {
        ok: false,
        reason: `${field}: the string is not valid JSON (${(error as Error).message})`,
      };
    }
    const result = observationDataSchema.safeParse(value);
    if (!result.success) {
      return {
        ok: false,
        reason: `${field} (decoded): ${describeIssues(result.error.issues, value)}`,
      };
    }
    data.push(result.data);
    raw.push(value);
  }
  return { ok: true, data, raw };
}

function withDecodedData(record: unknown, decoded: unknown[]): unknown {
  if (decoded.length === 0) return record;
  const alert = record as { observations: Record<string, unknown>[] };
  return {
    ...alert,
    observations: alert.observations.map((observation, index) => ({
      ...observation,
      dataDecoded: decoded[index],
    })),
  };
}

function earliest(times: readonly Date[]): Date | undefined {
  let result: Date | undefined;
  for (const time of times) {
    if (result === undefined || time < result) result = time;
  }
  return result;
}
