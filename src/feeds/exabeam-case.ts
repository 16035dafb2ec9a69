import { z } from 'zod';
import { severityFromExabeamPriority } from './exabeam-severity.ts';
import { parseShape, type RecordOutcome } from './feed-parser.ts';
import { optionalText, requiredText } from './fields.ts';
import type { Severity, SignalSubject } from './signal.ts';
import { buildSubject, distinct, isEmail } from './subject.ts';
import { timeField } from './time.ts';

const incidentSchema = z.looseObject({
  incidentId: requiredText,
  name: optionalText,
  baseFields: z.looseObject({
    priority: z.string(),
    startedDate: timeField.nullish(),
    createdAt: timeField.nullish(),
    // NOTE: the incident search response in test/fixtures/feeds/exabeam names no user, so the
    // name `users` is an assumption. An incident without it is rejected.
    users: z.array(z.string()).nullish(),
  }),
});

const caseSchema = z.looseObject({
  caseId: requiredText,
  alertName: optionalText,
  priority: z.string(),
  riskScore: z.number().nullish(),
  // New-Scale sends caseCreationTimestamp in epoch microseconds.
  approxLogTime: timeField.nullish(),
  caseCreationTimestamp: timeField.nullish(),
  users: z.array(z.string()).nullish(),
  rules: z.array(z.looseObject({ ruleName: optionalText })).nullish(),
  useCases: z.array(z.string()).nullish(),
});

/** Parses an Incident Responder (Case Manager) incident from an incident search page. */
export function parseExabeamIncident(record: unknown): RecordOutcome {
  const parsed = parseShape(incidentSchema, record);
  if (!parsed.ok) return parsed;
  const incident = parsed.data;
  const fields = incident.baseFields;

  const severity = prioritySeverity('baseFields.priority', fields.priority);
  if (!severity.ok) return severity;

  const subject = subjectOfUsers(fields.users);
  if (subject === null) {
    return { ok: false, reason: 'baseFields.users: missing or empty; the incident names no user' };
  }

  const observedAt = fields.startedDate ?? fields.createdAt;
  if (observedAt == null) {
    return {
      ok: false,
      reason: 'baseFields.startedDate: missing, and baseFields.createdAt is missing too',
    };
  }

  return {
    ok: true,
    signal: {
      source: 'exabeam',
      kind: 'exabeam.incident',
      externalId: incident.incidentId,
      subject,
      observedAt,
      severity: severity.severity,
      riskScore: null,
      title: incident.name?.trim() || 'Exabeam incident',
      indicators: [],
      files: [],
      destination: null,
      raw: record,
    },
  };
}

/**
 * Parses a New-Scale (Security Operations Platform) case search row. Search results can hold
 * the same case twice; both rows parse, and intake drops the duplicate by its case id.
 */
export function parseExabeamCase(record: unknown): RecordOutcome {
  const parsed = parseShape(caseSchema, record);
  if (!parsed.ok) return parsed;
  const row = parsed.data;

  const severity = prioritySeverity('priority', row.priority);
  if (!severity.ok) return severity;

  const subject = subjectOfUsers(row.users);
  if (subject === null) {
    return { ok: false, reason: 'users: missing or empty; the case names no user' };
  }

  const observedAt = row.approxLogTime ?? row.caseCreationTimestamp;
  if (observedAt == null) {
    return {
      ok: false,
      reason: 'approxLogTime: missing, and caseCreationTimestamp is missing too',
    };
  }

  return {
    ok: true,
    signal: {
      source: 'exabeam',
      kind: 'exabeam.case',
      externalId: row.caseId,
      subject,
      observedAt,
      severity: severity.severity,
      riskScore: row.riskScore ?? null,
      title: row.alertName?.trim() || 'Exabeam case',
      indicators: distinct([
        ...(row.rules ?? []).map((rule) => rule.ruleName),
        ...(row.useCases ?? []),
      ]),
      files: [],
      destination: null,
      raw: record,
    },
  };
}

function prioritySeverity(
  field: string,
  priority: string,
): { ok: true; severity: Severity } | { ok: false; reason: string } {
  const severity = severityFromExabeamPriority(priority);
  if (severity === null) {
    return {
      ok: false,
      reason: `${field}: ${JSON.stringify(priority)} is not one of "LOW", "MEDIUM", "HIGH", "CRITICAL"`,
    };
  }
  return { ok: true, severity };
}

/**
 * Returns the subject of the first listed user. A signal has one subject, so further users stay
 * in the raw record only.
 */
function subjectOfUsers(users: readonly string[] | null | undefined): SignalSubject | null {
  const first = distinct(users ?? [])[0];
  if (first === undefined) return null;
  return isEmail(first) ? buildSubject({ email: first }) : buildSubject({ ids: [first] });
}
