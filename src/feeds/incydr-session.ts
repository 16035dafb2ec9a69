import { z } from 'zod';
import { parseShape, type RecordOutcome } from './feed-parser.ts';
import { optionalText, requiredText } from './fields.ts';
import type { Severity } from './signal.ts';
import { buildSubject, distinct, isEmail } from './subject.ts';
import { timeField } from './time.ts';

const severityRange = 'must be an integer from 0 to 4';

const sessionSchema = z.looseObject({
  sessionId: requiredText,
  actorId: optionalText,
  actorName: optionalText,
  beginTime: timeField.nullish(),
  firstObserved: timeField.nullish(),
  exfiltrationSummary: optionalText,
  scores: z
    .array(
      z.looseObject({
        score: z.number().nullish(),
        severity: z.int(severityRange).min(0, severityRange).max(4, severityRange).nullish(),
        sourceTimestamp: z.number().nullish(),
      }),
    )
    .nullish(),
  riskIndicators: z.array(z.looseObject({ name: optionalText })).nullish(),
  triggeredAlerts: z.array(z.looseObject({ ruleName: optionalText })).nullish(),
  contentInspectionResults: z
    .looseObject({ detectedOnAlerts: z.array(z.string()).nullish() })
    .nullish(),
});

type Session = z.output<typeof sessionSchema>;

// Incydr session severities are numbers: 0 no risk, 1 low, 2 moderate, 3 high, 4 critical
// (documented on the severities filter of the incydr_python SDK's sessions client).
const sessionSeverities: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** Parses an Incydr v1 session (the alerting model that groups an actor's activity). */
export function parseIncydrSession(record: unknown): RecordOutcome {
  const parsed = parseShape(sessionSchema, record);
  if (!parsed.ok) return parsed;
  const session = parsed.data;

  const actorName = session.actorName;
  const subject = buildSubject({
    email: isEmail(actorName) ? actorName : null,
    ids: [session.actorId, isEmail(actorName) ? null : actorName],
  });
  if (subject === null) {
    return {
      ok: false,
      reason: 'actorId: missing, and actorName is missing too; the session has no subject',
    };
  }

  // The session's activity starts at beginTime; firstObserved is when Incydr first saw it.
  const observedAt = session.beginTime ?? session.firstObserved;
  if (observedAt == null) {
    return { ok: false, reason: 'beginTime: missing, and firstObserved is missing too' };
  }

  const score = currentScore(session);
  if (score === null) return { ok: false, reason: 'scores: missing or without a severity' };

  const ruleNames = distinct((session.triggeredAlerts ?? []).map((alert) => alert.ruleName));
  const summary = session.exfiltrationSummary?.trim();
  return {
    ok: true,
    signal: {
      source: 'incydr',
      kind: 'incydr.session',
      externalId: session.sessionId,
      subject,
      observedAt,
      severity: sessionSeverities[score.severity] ?? 'info',
      riskScore: score.score,
      title: ruleNames.join(', ') || summary || 'Incydr session',
      indicators: distinct([
        ...ruleNames,
        ...(session.riskIndicators ?? []).map((indicator) => indicator.name),
        ...(session.contentInspectionResults?.detectedOnAlerts ?? []),
      ]),
      files: [],
      destination: null,
      raw: record,
    },
  };
}

/** Returns the latest entry of the score history that has a severity. */
function currentScore(session: Session): { severity: number; score: number | null } | null {
  let latest: { severity: number; score: number | null; at: number } | null = null;
  for (const entry of session.scores ?? []) {
    if (entry.severity == null) continue;
    const at = entry.sourceTimestamp ?? 0;
    if (latest === null || at >= latest.at) {
      latest = { severity: entry.severity, score: entry.score ?? null, at };
    }
  }
  return latest === null ? null : { severity: latest.severity, score: latest.score };
}
