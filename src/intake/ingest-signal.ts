import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, desc, eq, gte, ne, sql } from 'drizzle-orm';
import type { CaseEvent } from '../../workflows/case-events.ts';
import { applyCaseEvent } from '../cases/apply-case-event.ts';
import type { CaseRow } from '../cases/load-case.ts';
import { openCase } from '../cases/open-case.ts';
import type { Signal } from '../feeds/signal.ts';
import type { Executor } from '../store/db.ts';
import { cases, signals } from '../store/schema.ts';
import { signalPriority } from './priority.ts';
import { resolveSubject } from './resolve-subject.ts';

export type SignalOutcome = 'created' | 'grouped' | 'duplicate';

export interface IngestSignalOptions {
  /** A signal this many hours after the subject's last case closed reopens it instead of opening a new one. */
  reopenWindowHours: number;
  now: Date;
}

const HOUR_MS = 3_600_000;
const intake = { kind: 'system', name: 'intake' } as const;

/** Returns the SHA-256 of a record's canonical JSON; the same record sent again has the same hash. */
export function contentHash(raw: unknown): string {
  return createHash('sha256')
    .update(canonicalize(raw) ?? 'null')
    .digest('hex');
}

/**
 * Stores one signal and puts it on its subject's case: the open case if there is one, the last
 * closed case if it closed within the reopen window, or a new case. Runs in the caller's
 * transaction; a per-subject advisory lock keeps concurrent intake of one subject in order.
 */
export async function ingestSignal(
  tx: Executor,
  signal: Signal,
  options: IngestSignalOptions,
): Promise<{ outcome: SignalOutcome; caseId: string; signalId: string | null }> {
  const subject = await resolveSubject(tx, signal.subject);
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${subject.key}, 0))`);

  const hash = contentHash(signal.raw);
  const versions = await tx
    .select({ caseId: signals.caseId, contentHash: signals.contentHash, version: signals.version })
    .from(signals)
    .where(and(eq(signals.source, signal.source), eq(signals.externalId, signal.externalId)));
  const same = versions.find((row) => row.contentHash === hash);
  if (same !== undefined) return { outcome: 'duplicate', caseId: same.caseId, signalId: null };
  const version = versions.reduce((highest, row) => Math.max(highest, row.version), 0) + 1;

  const priority = signalPriority(signal);
  let caseRow = await findOpenCase(tx, subject.key);
  let outcome: SignalOutcome = 'grouped';

  if (caseRow === null) {
    const recent = await findRecentlyClosedCase(tx, subject.key, options);
    if (recent !== null) {
      caseRow = await applySystemEvent(tx, recent, {
        type: 'REOPEN',
        actor: intake,
        at: options.now.toISOString(),
        reason: `New ${signal.source} signal ${signal.externalId} arrived within the reopen window.`,
      });
    }
  }

  if (caseRow === null) {
    caseRow = await openCase(tx, {
      subject,
      priority,
      openedAt: options.now,
      cause: { source: signal.source, externalId: signal.externalId, kind: signal.kind },
    });
    outcome = 'created';
  }

  const [stored] = await tx
    .insert(signals)
    .values({
      source: signal.source,
      externalId: signal.externalId,
      contentHash: hash,
      version,
      kind: signal.kind,
      caseId: caseRow.id,
      subjectKey: subject.key,
      observedAt: signal.observedAt,
      severity: signal.severity,
      riskScore: signal.riskScore,
      title: signal.title,
      signal: { ...signal, raw: undefined },
      raw: signal.raw ?? null,
      receivedAt: options.now,
    })
    .returning({ id: signals.id });

  if (outcome === 'grouped') {
    await applySystemEvent(tx, caseRow, {
      type: 'SIGNAL_ADDED',
      actor: intake,
      at: options.now.toISOString(),
      signalId: stored!.id,
      priority,
    });
  }
  return { outcome, caseId: caseRow.id, signalId: stored!.id };
}

async function findOpenCase(tx: Executor, subjectKey: string): Promise<CaseRow | null> {
  const [row] = await tx
    .select()
    .from(cases)
    .where(and(eq(cases.subjectKey, subjectKey), ne(cases.state, 'closed')))
    .for('update');
  return row ?? null;
}

async function findRecentlyClosedCase(
  tx: Executor,
  subjectKey: string,
  options: IngestSignalOptions,
): Promise<CaseRow | null> {
  if (options.reopenWindowHours <= 0) return null;
  const since = new Date(options.now.getTime() - options.reopenWindowHours * HOUR_MS);
  const [row] = await tx
    .select()
    .from(cases)
    .where(
      and(eq(cases.subjectKey, subjectKey), eq(cases.state, 'closed'), gte(cases.closedAt, since)),
    )
    .orderBy(desc(cases.closedAt))
    .limit(1)
    .for('update');
  return row ?? null;
}

/**
 * Applies an intake event to a case row locked by this transaction. The lock means no conflict
 * can happen, so a refusal here is a bug in the machine's rules for system actors.
 */
async function applySystemEvent(tx: Executor, row: CaseRow, event: CaseEvent): Promise<CaseRow> {
  const result = await applyCaseEvent(tx, row, event);
  if (result.status === 'applied') return result.caseRow;
  const reason =
    result.status === 'refused' ? result.error.message : 'the case changed while locked';
  throw new Error(`intake could not apply ${event.type} to case ${row.key}: ${reason}`);
}
