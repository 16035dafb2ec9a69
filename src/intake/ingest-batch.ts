import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { and, asc, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { BusinessCalendar } from '../../workflows/business-calendar.ts';
import type { CaseEvent, CaseState } from '../../workflows/case-events.ts';
import { applyEvent, type CaseContext, MACHINE_VERSION, startCase } from '../../workflows/index.ts';
import { decideWatchAction, watchPriority } from '../../workflows/watch-rules.ts';
import { type AuditEntry, appendAuditEvents } from '../audit/append-audit-event.ts';
import { acceptedEntry } from '../cases/case-audit-entry.ts';
import type { CaseRow } from '../cases/load-case.ts';
import { type StateEntry, scheduleStateTimers } from '../cases/schedule-state-timers.ts';
import type { Signal } from '../feeds/signal.ts';
import type { CaseChange, CaseNotifier } from '../outbox/case-notifier.ts';
import {
  defaultWatchlistContext,
  loadWatchMemberships,
  type WatchlistContext,
} from '../people/watchlists.ts';
import type { Executor } from '../store/db.ts';
import { cases, signals } from '../store/schema.ts';
import { signalPriority } from './priority.ts';
import { type ResolvedSubject, resolveSubjects } from './resolve-subject.ts';
import { deriveSignalFacts } from './signal-facts.ts';
import type { StoredWatchReason } from './watch-reason.ts';

export type SignalOutcome = 'created' | 'grouped' | 'duplicate';

export interface SignalResult {
  outcome: SignalOutcome;
  /** The case the signal is on; for a duplicate, null (the first copy's case is unchanged). */
  caseId: string | null;
}

export interface IngestBatchOptions {
  /** A signal this many hours after the subject's last case closed reopens it instead of opening a new one. */
  reopenWindowHours: number;
  now: Date;
  /** Writes the chat messages of the batch's case changes; none without a chat platform. */
  notifier?: CaseNotifier | undefined;
  /** The business calendar SLA due times are counted in; the default calendar when absent. */
  calendar?: BusinessCalendar | undefined;
  /** Watchlist windows and the default time zone for watch rules; the configuration defaults when absent. */
  watch?: WatchlistContext | undefined;
}

const HOUR_MS = 3_600_000;
const intake = { kind: 'system', name: 'intake' } as const;

/** Returns the SHA-256 of a record's canonical JSON; the same record sent again has the same hash. */
export function contentHash(raw: unknown): string {
  return createHash('sha256')
    .update(canonicalize(raw) ?? 'null')
    .digest('hex');
}

/** A case as the batch changes it in memory, written once at the end. */
interface WorkingCase {
  id: string;
  /** The row as locked at the start of the batch; null for a case this batch opens. */
  row: CaseRow | null;
  subject: ResolvedSubject;
  snapshot: unknown;
  state: CaseState;
  context: CaseContext;
  steps: number;
  openedAt: Date;
  closedAt: Date | null;
  stateEnteredAt: Date | null;
}

/**
 * Stores signals and puts each on its subject's case: the open case if there is one, the last
 * closed case if it closed within the reopen window, or a new case. Runs in the caller's
 * transaction with a fixed number of statements per batch: the subjects are locked (advisory
 * locks, in a fixed order) and their cases read once, every case change is computed in memory with
 * the pure machine, and the results are written with multi-row statements.
 */
export async function ingestBatch(
  tx: Executor,
  batch: Signal[],
  options: IngestBatchOptions,
): Promise<SignalResult[]> {
  if (batch.length === 0) return [];
  const subjects = await resolveSubjects(
    tx,
    batch.map((signal) => signal.subject),
  );
  const keys = [...new Set(subjects.map((subject) => subject.key))];
  await lockSubjects(tx, keys);
  const memberships = await loadWatchMemberships(
    tx,
    subjects.flatMap((subject) => (subject.personId === null ? [] : [subject.personId])),
    options.now,
    options.watch ?? defaultWatchlistContext,
  );

  const known = await loadKnownVersions(tx, batch);
  const working = await loadCases(tx, keys, options);
  const closedCandidates = working.closed;
  const open = working.open;

  const signalRows: Array<typeof signals.$inferInsert> = [];
  const audit: AuditEntry[] = [];
  const changes: CaseChange[] = [];
  const outcomes: SignalResult[] = [];
  const atIso = options.now.toISOString();

  const apply = (target: WorkingCase, event: CaseEvent) => {
    const result = applyEvent(target.snapshot, event);
    if (!result.ok) {
      // Intake events are system events on locked rows; a refusal is a bug in the machine's rules.
      throw new Error(
        `intake could not apply ${event.type} to case ${target.id}: ${result.refusal.message}`,
      );
    }
    audit.push(acceptedEntry(target.id, event, target.context, target.state, result.state));
    changes.push({
      caseId: target.id,
      fromState: target.state,
      toState: result.state,
      event,
      before: target.context,
      after: result.context,
    });
    if (result.state !== target.state) target.stateEnteredAt = options.now;
    target.snapshot = result.snapshot;
    target.state = result.state;
    target.context = result.context;
    target.closedAt = result.state === 'closed' ? options.now : null;
    target.steps++;
  };

  batch.forEach((signal, index) => {
    const subject = subjects[index]!;
    const hash = contentHash(signal.raw);
    const recordKey = `${signal.source}\u0000${signal.externalId}`;
    const versions = known.get(recordKey) ?? { hashes: new Set<string>(), maxVersion: 0 };
    known.set(recordKey, versions);
    if (versions.hashes.has(hash)) {
      outcomes.push({ outcome: 'duplicate', caseId: null });
      return;
    }
    versions.hashes.add(hash);
    versions.maxVersion++;

    // Watch rules raise the priority of a watched subject's signal and record why on the signal.
    const decision = decideWatchAction(
      deriveSignalFacts(signal),
      subject.personId === null ? [] : (memberships.get(subject.personId) ?? []),
    );
    const priority = watchPriority(signalPriority(signal), decision);
    const watch: StoredWatchReason | null =
      decision.reason === null || decision.action === 'none'
        ? null
        : { action: decision.action, ...decision.reason };
    const signalId = randomUUID();
    let target = open.get(subject.key);
    let outcome: SignalOutcome = 'grouped';

    if (target === undefined) {
      const closed = closedCandidates.get(subject.key);
      if (closed !== undefined) {
        closedCandidates.delete(subject.key);
        target = closed;
        open.set(subject.key, target);
        apply(target, {
          type: 'REOPEN',
          actor: intake,
          at: atIso,
          reason: `New ${signal.source} signal ${signal.externalId} arrived within the reopen window.`,
        });
      }
    }

    if (target === undefined) {
      target = newCase(subject, priority, options.now);
      open.set(subject.key, target);
      audit.push({
        stream: target.id,
        caseId: target.id,
        type: 'OPEN',
        outcome: 'accepted',
        actor: 'system:intake',
        actorRole: 'system',
        at: options.now,
        fromState: null,
        toState: target.state,
        reason: null,
        data: {
          priority,
          subjectResolved: subject.resolved,
          source: signal.source,
          externalId: signal.externalId,
          kind: signal.kind,
          watch,
        },
      });
      changes.push({
        caseId: target.id,
        fromState: null,
        toState: target.state,
        event: null,
        before: null,
        after: target.context,
      });
      outcome = 'created';
    } else {
      apply(target, { type: 'SIGNAL_ADDED', actor: intake, at: atIso, signalId, priority });
    }

    signalRows.push({
      id: signalId,
      source: signal.source,
      externalId: signal.externalId,
      contentHash: hash,
      version: versions.maxVersion,
      kind: signal.kind,
      caseId: target.id,
      subjectKey: subject.key,
      observedAt: signal.observedAt,
      severity: signal.severity,
      riskScore: signal.riskScore,
      title: signal.title,
      signal: { ...signal, raw: undefined, watch },
      raw: signal.raw ?? null,
      receivedAt: options.now,
    });
    outcomes.push({ outcome, caseId: target.id });
  });

  await writeCases(tx, [...open.values()], options.now);
  if (signalRows.length > 0) await tx.insert(signals).values(signalRows);
  await appendAuditEvents(tx, audit);
  const entered: StateEntry[] = [...open.values()]
    .filter((target) => target.stateEnteredAt !== null)
    .map((target) => ({
      caseId: target.id,
      state: target.state,
      enteredAt: target.stateEnteredAt!,
    }));
  await scheduleStateTimers(tx, entered, options.calendar);
  await options.notifier?.enqueue(tx, changes);

  return outcomes;
}

/**
 * Takes a transaction-scoped advisory lock per subject, in the order of the lock keys, so that two
 * batches with overlapping subjects queue instead of deadlocking.
 */
async function lockSubjects(tx: Executor, keys: string[]): Promise<void> {
  const list = sql.join(
    keys.map((key) => sql`${key}`),
    sql`, `,
  );
  await tx.execute(sql`
    select count(pg_advisory_xact_lock(lock_key)) from (
      select hashtextextended(k, 0) as lock_key from unnest(array[${list}]::text[]) as k order by 1
    ) as ordered`);
}

async function loadKnownVersions(
  tx: Executor,
  batch: Signal[],
): Promise<Map<string, { hashes: Set<string>; maxVersion: number }>> {
  const ids = [...new Set(batch.map((signal) => signal.externalId))];
  const rows = await tx
    .select({
      source: signals.source,
      externalId: signals.externalId,
      contentHash: signals.contentHash,
      version: signals.version,
    })
    .from(signals)
    .where(inArray(signals.externalId, ids));
  const known = new Map<string, { hashes: Set<string>; maxVersion: number }>();
  for (const row of rows) {
    const key = `${row.source}\u0000${row.externalId}`;
    const entry = known.get(key) ?? { hashes: new Set<string>(), maxVersion: 0 };
    entry.hashes.add(row.contentHash);
    entry.maxVersion = Math.max(entry.maxVersion, row.version);
    known.set(key, entry);
  }
  return known;
}

/** Locks and loads the subjects' open cases and, within the reopen window, their last closed cases. */
async function loadCases(
  tx: Executor,
  keys: string[],
  options: IngestBatchOptions,
): Promise<{ open: Map<string, WorkingCase>; closed: Map<string, WorkingCase> }> {
  const openRows = await tx
    .select()
    .from(cases)
    .where(and(inArray(cases.subjectKey, keys), ne(cases.state, 'closed')))
    .orderBy(asc(cases.id))
    .for('update');
  const open = new Map(openRows.map((row) => [row.subjectKey, fromRow(row)]));

  const closed = new Map<string, WorkingCase>();
  const withoutOpen = keys.filter((key) => !open.has(key));
  if (options.reopenWindowHours > 0 && withoutOpen.length > 0) {
    const since = new Date(options.now.getTime() - options.reopenWindowHours * HOUR_MS);
    const closedRows = await tx
      .select()
      .from(cases)
      .where(
        and(
          inArray(cases.subjectKey, withoutOpen),
          eq(cases.state, 'closed'),
          gte(cases.closedAt, since),
        ),
      )
      .orderBy(asc(cases.id))
      .for('update');
    for (const row of closedRows) {
      const current = closed.get(row.subjectKey);
      if (
        current === undefined ||
        (current.closedAt?.getTime() ?? 0) < (row.closedAt?.getTime() ?? 0)
      ) {
        closed.set(row.subjectKey, fromRow(row));
      }
    }
  }
  return { open, closed };
}

function fromRow(row: CaseRow): WorkingCase {
  const snapshot = row.snapshot as { context: CaseContext };
  return {
    id: row.id,
    row,
    subject: {
      key: row.subjectKey,
      personId: row.subjectPersonId,
      email: row.subjectEmail,
      managerEmail: snapshot.context.subject.managerEmail,
      resolved: snapshot.context.subject.resolved,
    },
    snapshot: row.snapshot,
    state: row.state as CaseState,
    context: snapshot.context,
    steps: 0,
    openedAt: row.openedAt,
    closedAt: row.closedAt,
    stateEnteredAt: null,
  };
}

function newCase(
  subject: ResolvedSubject,
  priority: CaseContext['priority'],
  now: Date,
): WorkingCase {
  const id = randomUUID();
  const started = startCase({
    caseId: id,
    subject: {
      key: subject.key,
      email: subject.email,
      managerEmail: subject.managerEmail,
      resolved: subject.resolved,
    },
    priority,
    openedAt: now.toISOString(),
  });
  return {
    id,
    row: null,
    subject,
    snapshot: started.snapshot,
    state: started.state,
    context: started.context,
    steps: 0,
    openedAt: now,
    closedAt: null,
    stateEnteredAt: now,
  };
}

/** Inserts the cases this batch opened and updates, in one statement, the ones it changed. */
async function writeCases(tx: Executor, targets: WorkingCase[], now: Date): Promise<void> {
  const created = targets.filter((target) => target.row === null);
  if (created.length > 0) {
    await tx.insert(cases).values(
      created.map((target) => ({
        id: target.id,
        subjectKey: target.subject.key,
        subjectPersonId: target.subject.personId,
        subjectEmail: target.subject.email,
        state: target.state,
        priority: target.context.priority,
        version: 1 + target.steps,
        machineVersion: MACHINE_VERSION,
        snapshot: target.snapshot,
        openedAt: target.openedAt,
        updatedAt: now,
      })),
    );
  }

  const changed = targets.filter((target) => target.row !== null && target.steps > 0);
  if (changed.length === 0) return;
  const values = changed.map(
    (target) =>
      sql`(${target.id}::uuid, ${JSON.stringify(target.snapshot)}::jsonb, ${target.state}, ${target.context.priority}, ${target.steps}::int, ${target.closedAt?.toISOString() ?? null}::timestamptz)`,
  );
  // The rows were locked FOR UPDATE at the start of the batch, so the versions cannot have moved.
  await tx.execute(sql`
    update cases as c
    set snapshot = v.snapshot, state = v.state, priority = v.priority, version = c.version + v.steps,
        machine_version = ${MACHINE_VERSION}, closed_at = v.closed_at, updated_at = ${now.toISOString()}::timestamptz
    from (values ${sql.join(values, sql`, `)}) as v(id, snapshot, state, priority, steps, closed_at)
    where c.id = v.id`);
}
