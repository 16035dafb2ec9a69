import { eq, inArray, sql } from 'drizzle-orm';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { describeError } from '../describe-error.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../store/db.ts';
import { cases, signals } from '../store/schema.ts';
import { anonymiseCase } from './anonymise-case.ts';
import {
  expiredRawCondition,
  fileEventCutoff,
  planRetention,
  rawSignalCutoff,
} from './plan-retention.ts';
import type { RetentionConfig } from './retention-policy.ts';

/** The audit stream of retention runs that touch no single case, such as the raw signal purge. */
export const RETENTION_STREAM = 'retention';

/**
 * Call hooks for stores with their own retention. The file-event store drops whole partitions older
 * than a date; it is called only when `retention.fileEventsDays` is set.
 */
export interface RetentionHooks {
  /** Drops the file events observed before the date's UTC day; returns the dropped partitions. */
  dropFileEventPartitionsBefore?: (before: Date) => Promise<string[]>;
}

export interface RetentionRunDeps {
  db: Db;
  logger: Logger;
  config: RetentionConfig;
  hooks?: RetentionHooks;
  /** The clock of the audit events; retention periods are measured at `asOf` instead. */
  now?: () => Date;
}

export interface RetentionRunResult {
  asOf: string;
  anonymised: Array<{ key: string; rule: string; ageDays: number }>;
  held: Array<{ key: string; rule: string; ageDays: number }>;
  /** Cases that changed since the plan (a hold placed meanwhile) or whose transaction failed. */
  skipped: Array<{ key: string; reason: string }>;
  failed: Array<{ key: string; error: string }>;
  /** Raw signal payloads deleted, or null when `signalsDays` is not configured. */
  rawSignalsDeleted: number | null;
  /** The file-event partitions dropped, or null when the file-event hook did not run. */
  fileEvents: string[] | null;
}

/**
 * Runs retention as of `asOf`: anonymises each due case in its own transaction (a failure is logged
 * and the other cases still run), deletes raw signal payloads past `signalsDays`, and calls the
 * file-event hook. Held cases are reported and left alone.
 */
export async function runRetention(
  deps: RetentionRunDeps,
  asOf: Date,
): Promise<RetentionRunResult> {
  const plan = await planRetention(deps.db, deps.config, asOf);
  const result: RetentionRunResult = {
    asOf: plan.asOf,
    anonymised: [],
    held: [],
    skipped: [],
    failed: [],
    rawSignalsDeleted: null,
    fileEvents: null,
  };

  for (const candidate of plan.cases) {
    const entry = { key: candidate.key, rule: candidate.rule, ageDays: candidate.ageDays };
    if (candidate.action === 'held') {
      result.held.push(entry);
      continue;
    }
    const log = deps.logger.child({ caseId: candidate.caseId, rule: candidate.rule });
    try {
      const now = deps.now?.() ?? new Date();
      const outcome = await deps.db.transaction((tx) =>
        anonymiseCase(tx, candidate, { now, asOf }),
      );
      if (outcome.status === 'anonymised') {
        result.anonymised.push(entry);
        log.info({ redactedEvents: outcome.redactedEvents }, 'case anonymised');
      } else {
        result.skipped.push({ key: candidate.key, reason: outcome.reason });
        log.info('case not anonymised because it changed since the plan');
      }
    } catch (error) {
      result.failed.push({ key: candidate.key, error: (error as Error).message });
      log.error(
        { err: describeError(error) },
        'case anonymisation failed; the next run retries it',
      );
    }
  }

  if (deps.config.signalsDays !== undefined) {
    const now = deps.now?.() ?? new Date();
    result.rawSignalsDeleted = await deleteExpiredRaw(
      deps.db,
      { now, asOf },
      deps.config.signalsDays,
    );
  }
  const hook = deps.hooks?.dropFileEventPartitionsBefore;
  if (deps.config.fileEventsDays !== undefined && hook !== undefined) {
    result.fileEvents = await hook(fileEventCutoff(asOf, deps.config.fileEventsDays));
  }
  return result;
}

/**
 * Replaces the raw payloads of expired signals with JSON null and audits the count in the
 * `retention` stream, in one transaction. The normalised record stays until the case is anonymised.
 */
async function deleteExpiredRaw(
  db: Db,
  times: { now: Date; asOf: Date },
  signalsDays: number,
): Promise<number> {
  const cutoff = rawSignalCutoff(times.asOf, signalsDays);
  return db.transaction(async (tx) => {
    const expired = tx
      .select({ id: signals.id })
      .from(signals)
      .innerJoin(cases, eq(cases.id, signals.caseId))
      .where(expiredRawCondition(cutoff));
    const rows = await tx
      .update(signals)
      .set({ raw: sql`'null'::jsonb` })
      .where(inArray(signals.id, expired))
      .returning({ caseId: signals.caseId });
    if (rows.length === 0) return 0;

    await appendAuditEvent(tx, {
      stream: RETENTION_STREAM,
      caseId: null,
      type: 'RAW_SIGNALS_DELETED',
      outcome: 'accepted',
      actor: 'system:retention',
      actorRole: 'system',
      at: times.now,
      fromState: null,
      toState: null,
      reason: null,
      data: {
        rule: 'signalsDays',
        signalsDays,
        asOf: times.asOf.toISOString(),
        receivedBefore: cutoff.toISOString(),
        signals: rows.length,
        cases: new Set(rows.map((row) => row.caseId)).size,
      },
    });
    return rows.length;
  });
}
