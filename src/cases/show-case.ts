import { asc, eq } from 'drizzle-orm';
import type { CaseState } from '../../workflows/case-events.ts';
import type { CaseContext } from '../../workflows/index.ts';
import { identityRedactor } from '../chat/evidence.ts';
import { type BlockedThread, loadBlockedThreads } from '../outbox/load-blocked-threads.ts';
import { threadAudiences } from '../outbox/thread-audiences.ts';
import type { Executor } from '../store/db.ts';
import { auditEvents, people, signals } from '../store/schema.ts';
import { loadCase } from './load-case.ts';
import { loadPseudonymGeneration, loadPseudonymKey, pseudonymFor } from './pseudonym.ts';

export interface CaseDetail {
  id: string;
  key: string;
  state: string;
  priority: string;
  version: number;
  openedAt: string;
  closedAt: string | null;
  subject: {
    /** The subject's current pseudonym, which is all the CLI and API show by default. */
    pseudonym: string;
    resolved: boolean;
    managerKnown: boolean;
    /** The subject's identity; null unless the caller may see it (`--reveal`). */
    identity: {
      key: string;
      email: string | null;
      name: string | null;
      managerEmail: string | null;
    } | null;
  };
  outcome: string | null;
  legalHold: boolean;
  /** Who may act next: the role that owns the current state. */
  audiences: string[];
  /** The audiences' threads that the case could not be posted to, such as a channel the subject is in. */
  blockedThreads: BlockedThread[];
  signals: Array<{
    id: string;
    source: string;
    kind: string;
    externalId: string;
    version: number;
    observedAt: string;
    severity: string;
    riskScore: number | null;
    title: string;
    /** The files the signal lists, with their names redacted as the title is. */
    files: Array<{ name: string | null; sha256: string | null; md5: string | null }>;
  }>;
  events: Array<{
    seq: number;
    type: string;
    outcome: string;
    actor: string;
    actorRole: string | null;
    at: string;
    fromState: string | null;
    toState: string | null;
    reason: string | null;
    data: unknown;
  }>;
}

export interface ShowCaseOptions {
  /** The key pseudonyms are derived from; loaded from the database when absent. */
  pseudonymKey?: Buffer;
  /** Shows the subject's identity. Callers check that the person may see it and audit it first. */
  revealIdentity?: boolean;
}

/**
 * Loads a case with its signals and its full audit timeline. Unless `revealIdentity` is set, the
 * subject appears only as their pseudonym, and their name and e-mail address are replaced by it
 * in signal titles and audit reasons.
 */
export async function showCase(
  db: Executor,
  reference: string,
  options: ShowCaseOptions = {},
): Promise<CaseDetail> {
  const row = await loadCase(db, reference);
  const context = (row.snapshot as { context: CaseContext }).context;
  const generation = await loadPseudonymGeneration(db, row.subjectKey);
  const key = options.pseudonymKey ?? (await loadPseudonymKey(db));
  const pseudonym = pseudonymFor(key, row.subjectKey, generation);
  const subjectName = await loadSubjectName(db, row.subjectPersonId);
  const reveal = options.revealIdentity === true;
  const redact = reveal
    ? (text: string) => text
    : identityRedactor({ name: subjectName, email: context.subject.email }, pseudonym);

  const signalRows = await db
    .select()
    .from(signals)
    .where(eq(signals.caseId, row.id))
    .orderBy(asc(signals.observedAt));
  const eventRows = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.caseId, row.id))
    .orderBy(asc(auditEvents.seq));
  const blockedThreads = await loadBlockedThreads(db, row.id);

  return {
    id: row.id,
    key: row.key,
    state: row.state,
    priority: row.priority,
    version: row.version,
    openedAt: row.openedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    subject: {
      pseudonym,
      resolved: context.subject.resolved,
      managerKnown: context.subject.managerEmail !== null,
      identity: reveal
        ? {
            key: row.subjectKey,
            email: row.subjectEmail,
            name: subjectName,
            managerEmail: context.subject.managerEmail,
          }
        : null,
    },
    outcome: context.outcome ?? null,
    legalHold: context.legalHold,
    audiences: [...threadAudiences(row.state as CaseState)],
    blockedThreads,
    signals: signalRows.map((signal) => ({
      id: signal.id,
      source: signal.source,
      kind: signal.kind,
      externalId: signal.externalId,
      version: signal.version,
      observedAt: signal.observedAt.toISOString(),
      severity: signal.severity,
      riskScore: signal.riskScore,
      title: redact(signal.title),
      files: signalFiles(signal.signal).map((file) => ({
        name: file.name == null ? null : redact(file.name),
        sha256: file.sha256 ?? null,
        md5: file.md5 ?? null,
      })),
    })),
    events: eventRows.map((event) => ({
      seq: event.seq,
      type: event.type,
      outcome: event.outcome,
      actor: event.actor,
      actorRole: event.actorRole,
      at: event.at.toISOString(),
      fromState: event.fromState,
      toState: event.toState,
      reason: event.reason === null ? null : redact(event.reason),
      data: event.data,
    })),
  };
}

async function loadSubjectName(db: Executor, personId: string | null): Promise<string | null> {
  if (personId === null) return null;
  const [person] = await db
    .select({ name: people.name })
    .from(people)
    .where(eq(people.id, personId))
    .limit(1);
  return person?.name ?? null;
}

/** Reads the files of a stored signal; a signal without any lists none. */
function signalFiles(
  stored: unknown,
): Array<{ name?: string | null; sha256?: string | null; md5?: string | null }> {
  const files = (stored as { files?: unknown } | null)?.files;
  return Array.isArray(files) ? files : [];
}
