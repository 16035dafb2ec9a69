import { z } from 'zod';
import {
  type FeedParser,
  hasArray,
  type Page,
  parseShape,
  type RecordOutcome,
} from './feed-parser.ts';
import { optionalMd5, optionalSha256, optionalText, requiredText } from './fields.ts';
import type { Severity, SignalFile, SignalSubject } from './signal.ts';
import { buildSubject, distinct, normaliseHash } from './subject.ts';
import { timeField } from './time.ts';

const userAccountSchema = z.looseObject({
  accountName: optionalText,
  azureAdUserId: optionalText,
  displayName: optionalText,
  domainName: optionalText,
  userPrincipalName: optionalText,
  userSid: optionalText,
});

const evidenceSchema = z.looseObject({
  '@odata.type': optionalText,
  userAccount: userAccountSchema.nullish(),
  fileDetails: z
    .looseObject({
      fileName: optionalText,
      filePath: optionalText,
      sha256: optionalSha256,
      md5: optionalMd5,
      fileSize: z.number().nullish(),
    })
    .nullish(),
  displayName: optionalText,
});

const alertSchema = z.looseObject({
  id: requiredText,
  title: optionalText,
  severity: z.enum(['unknown', 'informational', 'low', 'medium', 'high', 'unknownFutureValue']),
  // Any member of microsoft.graph.security.detectionSource is accepted, including members added
  // later. Purview insider risk alerts carry microsoftInsiderRiskManagement.
  detectionSource: optionalText,
  category: optionalText,
  mitreTechniques: z.array(z.string()).nullish(),
  createdDateTime: timeField,
  firstActivityDateTime: timeField.nullish(),
  evidence: z.array(evidenceSchema).nullish(),
});

type Evidence = z.output<typeof evidenceSchema>;
type UserAccount = z.output<typeof userAccountSchema>;

// Graph alert severities have no "critical". "unknown" and "unknownFutureValue" map to medium so
// that a person looks at the alert rather than it sinking to the bottom of the queue.
const severityByGraphName: Record<z.output<typeof alertSchema>['severity'], Severity> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  unknown: 'medium',
  unknownFutureValue: 'medium',
};

// Built-in Windows accounts (LocalSystem, LocalService, NetworkService) run processes for the
// operating system, so an alert that names only them is not about a person.
const systemSids = new Set(['s-1-5-18', 's-1-5-19', 's-1-5-20']);

/**
 * Reads Microsoft Graph security `alerts_v2` alerts (kind `purview.alert`), where Purview insider
 * risk alerts arrive: a list response (`{"value":[…]}`), a single alert, an array or NDJSON.
 */
export const purviewParser: FeedParser = {
  // Every object that is not a list response is read as an alert, so that a payload of the
  // wrong kind is rejected with the alert fields it lacks.
  recordParser: (value: object) => (hasArray(value, 'value') ? null : parseGraphAlert),
  readPage(value: object): Page | null {
    if (!hasArray(value, 'value')) return null;
    return { shape: '{"value":[…]}', records: (value as { value: unknown[] }).value };
  },
  unknownRecordReason: 'record is not a Microsoft Graph security alert',
};

function parseGraphAlert(record: unknown): RecordOutcome {
  const parsed = parseShape(alertSchema, record);
  if (!parsed.ok) return parsed;
  const alert = parsed.data;
  const evidence = alert.evidence ?? [];

  const subject = subjectOfEvidence(evidence);
  if (subject === null) {
    return {
      ok: false,
      reason:
        'evidence: names no person (no userEvidence or userAccount other than a built-in system account)',
    };
  }

  const cloudApplication = evidence.find(
    (item) => evidenceType(item) === 'cloudApplicationEvidence',
  );
  return {
    ok: true,
    signal: {
      source: 'purview',
      kind: 'purview.alert',
      externalId: alert.id,
      subject,
      // firstActivityDateTime is when the activity began, and createdDateTime when Graph raised
      // the alert.
      observedAt: alert.firstActivityDateTime ?? alert.createdDateTime,
      severity: severityByGraphName[alert.severity],
      riskScore: null,
      title: alert.title?.trim() || 'Microsoft Graph security alert',
      indicators: distinct([alert.category, ...(alert.mitreTechniques ?? [])]),
      files: evidence.filter((item) => evidenceType(item) === 'fileEvidence').map(fileOfEvidence),
      destination:
        cloudApplication === undefined
          ? null
          : { category: 'Cloud application', name: cloudApplication.displayName ?? null },
      raw: record,
    },
  };
}

/** Returns `userEvidence` for `#microsoft.graph.security.userEvidence`. */
function evidenceType(evidence: Evidence): string {
  const type = evidence['@odata.type'] ?? '';
  return type.slice(type.lastIndexOf('.') + 1);
}

/** Takes the person from userEvidence first, then from any other evidence's user account. */
function subjectOfEvidence(evidence: readonly Evidence[]): SignalSubject | null {
  const ranked = [
    ...evidence.filter((item) => evidenceType(item) === 'userEvidence'),
    ...evidence.filter((item) => evidenceType(item) !== 'userEvidence'),
  ];
  for (const item of ranked) {
    const account = item.userAccount;
    if (account == null || isSystemAccount(account)) continue;
    const subject = buildSubject({
      email: account.userPrincipalName,
      ids: [account.azureAdUserId, account.userSid, account.accountName],
      displayName: account.displayName,
    });
    if (subject !== null) return subject;
  }
  return null;
}

function isSystemAccount(account: UserAccount): boolean {
  const sid = account.userSid?.trim().toLowerCase() ?? '';
  return systemSids.has(sid) || account.domainName?.trim().toUpperCase() === 'NT AUTHORITY';
}

function fileOfEvidence(evidence: Evidence): SignalFile {
  const details = evidence.fileDetails;
  return {
    name: details?.fileName ?? null,
    path: details?.filePath ?? null,
    sha256: normaliseHash(details?.sha256),
    md5: normaliseHash(details?.md5),
    category: null,
    sizeBytes: details?.fileSize ?? null,
  };
}
