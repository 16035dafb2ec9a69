import type { FileConfig } from '../config.ts';
import { CasebridgeError } from '../errors.ts';
import { parseTime } from '../feeds/time.ts';
import { callLocalApi } from '../http/local-api-client.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { exportSubject, type SubjectExport } from '../subject-access/export-subject.ts';
import { planRetention, type RetentionPlan } from './plan-retention.ts';
import type { RetentionConfig } from './retention-policy.ts';
import { type RetentionHooks, type RetentionRunResult, runRetention } from './run-retention.ts';

/**
 * Retention and subject access, as the CLI and the local API use them. Like the case service, one
 * implementation works on the database and the other calls a running server's local API.
 */
export interface DataProtectionService {
  /** `asOf` is a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 time; now when absent. */
  planRetention(asOf?: string): Promise<RetentionPlan>;
  /** Rejects an `asOf` later than now with USAGE_INVALID, because anonymisation is final. */
  runRetention(asOf?: string): Promise<RetentionRunResult>;
  exportSubject(subjectEmail: string, actorEmail: string): Promise<SubjectExport>;
}

export interface LocalDataProtectionDeps {
  db: Db;
  logger: Logger;
  config: Pick<FileConfig, 'retention' | 'privacy'>;
  hooks?: RetentionHooks;
  now?: () => Date;
}

export function localDataProtectionService(deps: LocalDataProtectionDeps): DataProtectionService {
  const now = deps.now ?? (() => new Date());
  return {
    planRetention: async (asOf) =>
      planRetention(deps.db, requireRetention(deps.config.retention), parseAsOf(asOf, now())),
    runRetention: async (asOf) => {
      const current = now();
      const measuredAt = parseAsOf(asOf, current);
      rejectFutureRun(asOf, measuredAt, current);
      return runRetention(
        {
          db: deps.db,
          logger: deps.logger,
          config: requireRetention(deps.config.retention),
          now,
          ...(deps.hooks === undefined ? {} : { hooks: deps.hooks }),
        },
        measuredAt,
      );
    },
    exportSubject: (subjectEmail, actorEmail) =>
      exportSubject(deps.db, deps.config.privacy.export, {
        subjectEmail,
        actorEmail,
        now: now(),
      }),
  };
}

function requireRetention(config: RetentionConfig | undefined): RetentionConfig {
  if (config === undefined) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      'Retention is not configured: the configuration file has no retention block. Add one (see examples/casebridge.yaml) to plan or run retention.',
    );
  }
  return config;
}

/** Parses `--as-of`: a date YYYY-MM-DD (midnight UTC) or an ISO 8601 time with an offset. */
export function parseAsOf(value: string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const text = value.trim();
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `--as-of "${value}" has no time zone; add Z for UTC or an offset, such as ${text}Z.`,
    );
  }
  // Only dates and ISO times: parseTime also reads epoch numbers, which a person does not type.
  const parsed =
    dateOnly || /^\d{4}-\d{2}-\d{2}T/.test(text)
      ? parseTime(dateOnly ? `${text}T00:00:00Z` : text)
      : null;
  if (parsed === null || !parsed.ok) {
    const problem = parsed === null ? 'is not a date' : parsed.problem;
    throw new CasebridgeError(
      'USAGE_INVALID',
      `--as-of "${value}" ${problem}; give YYYY-MM-DD or an ISO 8601 time such as 2027-06-01T00:00:00Z.`,
    );
  }
  return parsed.date;
}

/**
 * Rejects a run measured after `now`, because it would anonymise cases before their retention
 * period ends and anonymisation cannot be undone. Only `retention plan` may look ahead.
 */
function rejectFutureRun(value: string | undefined, asOf: Date, now: Date): void {
  if (asOf.getTime() <= now.getTime()) return;
  throw new CasebridgeError(
    'USAGE_INVALID',
    `--as-of "${value}" (${asOf.toISOString()}) is later than the current time ${now.toISOString()}. A retention run at a future time would anonymise cases before their retention period ends, and that cannot be undone. Give a time up to now, or preview the future date with "casebridge retention plan --as-of ${value}".`,
    { details: { asOf: asOf.toISOString(), now: now.toISOString() } },
  );
}

/** Calls the local API of a running Casebridge server that holds the embedded database. */
export function remoteDataProtectionService(
  baseUrl: string,
  token?: string,
): DataProtectionService {
  const post = <T>(route: string, body: unknown): Promise<T> =>
    callLocalApi<T>(
      { url: baseUrl, token },
      {
        method: 'POST',
        path: route,
        body: { contentType: 'application/json', data: JSON.stringify(body) },
      },
    );
  return {
    planRetention: (asOf) => post('/api/retention/plan', { asOf }),
    runRetention: (asOf) => post('/api/retention/run', { asOf }),
    exportSubject: (subject, as) => post('/api/subjects/export', { subject, as }),
  };
}
