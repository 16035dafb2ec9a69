import { and, asc, eq, inArray, or } from 'drizzle-orm';
import type { CaseContext } from '../../workflows/index.ts';
import { appendAuditEvent } from '../audit/append-audit-event.ts';
import { CasebridgeError } from '../errors.ts';
import { findGrants, type Person } from '../people/find-person.ts';
import type { Db, Executor } from '../store/db.ts';
import { auditEvents, cases, people, signals } from '../store/schema.ts';
import type { SubjectExportConfig } from './subject-export-config.ts';
import { findWatchlistEntries, type WatchlistEntry } from './watchlist-entries.ts';

/** The audit stream of every subject access export and every refused attempt. */
export const SUBJECT_ACCESS_STREAM = 'subject-access';

/** Roles that may run a subject access export. */
export const exportRoles = ['hr', 'privacy'] as const;

export interface SubjectExportCase {
  key: string;
  state: string;
  openedAt: string;
  closedAt: string | null;
  outcome: string | null;
  /** True when evidence and notes were withheld because the investigation is still open. */
  withheld: boolean;
  signals: Array<{
    source: string;
    kind: string;
    observedAt: string;
    receivedAt: string;
    severity: string;
    riskScore: number | null;
    title: string;
    /** The normalised record Casebridge works with. */
    record: unknown;
  }>;
  /** Signals left out because the case is open; their number only. */
  signalsWithheld: number;
  /** The case's audit trail. Staff appear by role, not by name. */
  events: Array<{
    type: string;
    outcome: string;
    actorRole: string | null;
    at: string;
    fromState: string | null;
    toState: string | null;
    reason: string | null;
    /** True when retention or an earlier redaction removed the entry's content. */
    redacted: boolean;
  }>;
}

export interface SubjectExport {
  subject: string;
  generatedAt: string;
  requestedBy: string;
  person: Omit<Person, 'id' | 'createdAt' | 'updatedAt'> | null;
  cases: SubjectExportCase[];
  /** Entries of watchlist tables about the person, or null when no watchlist table exists. */
  watchlists: WatchlistEntry[];
  /** Statements about what the export leaves out and why. */
  notes: string[];
}

export interface ExportSubjectInput {
  subjectEmail: string;
  actorEmail: string;
  now?: Date;
}

/**
 * Collects what Casebridge stores about a data subject for a subject access request: the directory
 * record, the cases about them with their signals and audit trail, and watchlist entries. With
 * `redactOpenCases`, the signals and notes of open cases are withheld and the export says so. The
 * export is audited in the `subject-access` stream in the same transaction; a refused attempt is
 * audited too. Cases already anonymised by retention are no longer linked to the person and are
 * not found.
 */
export async function exportSubject(
  db: Db,
  config: SubjectExportConfig,
  input: ExportSubjectInput,
): Promise<SubjectExport> {
  const now = input.now ?? new Date();
  const subject = input.subjectEmail.trim().toLowerCase();
  const actor = input.actorEmail.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(subject)) {
    throw new CasebridgeError(
      'USAGE_INVALID',
      `"${input.subjectEmail}" is not an e-mail address; give the data subject's address.`,
    );
  }

  const grants = await findGrants(db, actor);
  const role = exportRoles.find((candidate) => grants.includes(candidate));
  if (role === undefined) {
    await appendAuditEvent(db, exportAuditEntry(actor, null, now, 'rejected', subject, {}));
    throw new CasebridgeError(
      'NOT_AUTHORIZED',
      `${actor} cannot export a data subject's records: only a person with the hr or privacy role may. An admin grants roles in the configuration file.`,
      { details: { person: actor } },
    );
  }

  return db.transaction(async (tx) => {
    const [person] = await tx.select().from(people).where(eq(people.email, subject)).limit(1);
    const caseRows = await findSubjectCases(tx, subject, person ?? null);
    const exported: SubjectExportCase[] = [];
    for (const row of caseRows) exported.push(await exportCase(tx, row, config));
    const watchlists = await findWatchlistEntries(tx, person?.id ?? null);

    const withheld = exported.filter((entry) => entry.withheld).map((entry) => entry.key);
    const document: SubjectExport = {
      subject,
      generatedAt: now.toISOString(),
      requestedBy: actor,
      person: person === undefined ? null : personRecord(person),
      cases: exported,
      watchlists,
      notes: exportNotes(withheld),
    };
    await appendAuditEvent(
      tx,
      exportAuditEntry(actor, role, now, 'accepted', subject, {
        cases: exported.length,
        withheldCases: withheld,
      }),
    );
    return document;
  });
}

type CaseRow = typeof cases.$inferSelect;

async function findSubjectCases(
  tx: Executor,
  email: string,
  person: Person | null,
): Promise<CaseRow[]> {
  const keys = [`email:${email}`];
  if (person !== null) {
    keys.push(`person:${person.id}`, ...person.externalIds.map((id) => `id:${id}`));
  }
  const conditions = [inArray(cases.subjectKey, keys), eq(cases.subjectEmail, email)];
  if (person !== null) conditions.push(eq(cases.subjectPersonId, person.id));
  return tx
    .select()
    .from(cases)
    .where(or(...conditions))
    .orderBy(asc(cases.openedAt));
}

async function exportCase(
  tx: Executor,
  row: CaseRow,
  config: SubjectExportConfig,
): Promise<SubjectExportCase> {
  const context = (row.snapshot as { context: CaseContext }).context;
  const withheld = config.redactOpenCases && row.state !== 'closed';
  const signalRows = await tx
    .select()
    .from(signals)
    .where(eq(signals.caseId, row.id))
    .orderBy(asc(signals.observedAt));
  const eventRows = await tx
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.stream, row.id), eq(auditEvents.caseId, row.id)))
    .orderBy(asc(auditEvents.seq));

  return {
    key: row.key,
    state: row.state,
    openedAt: row.openedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null,
    outcome: context.outcome,
    withheld,
    signals: withheld
      ? []
      : signalRows.map((signal) => ({
          source: signal.source,
          kind: signal.kind,
          observedAt: signal.observedAt.toISOString(),
          receivedAt: signal.receivedAt.toISOString(),
          severity: signal.severity,
          riskScore: signal.riskScore,
          title: signal.title,
          record: signal.signal,
        })),
    signalsWithheld: withheld ? signalRows.length : 0,
    events: eventRows.map((event) => ({
      type: event.type,
      outcome: event.outcome,
      actorRole: event.actorRole,
      at: event.at.toISOString(),
      fromState: event.fromState,
      toState: event.toState,
      reason: withheld ? null : event.reason,
      redacted: event.redacted,
    })),
  };
}

function personRecord(person: Person): SubjectExport['person'] {
  const { id: _id, createdAt: _created, updatedAt: _updated, ...record } = person;
  return record;
}

function exportNotes(withheld: string[]): string[] {
  const notes = [
    'Staff who worked on the cases appear by role, not by name, to protect their own data.',
    'Raw vendor records are not included; each signal is given as the normalised record Casebridge works with.',
  ];
  if (withheld.length > 0) {
    notes.push(
      `The evidence and notes of ${withheld.join(', ')} are withheld because the investigation is still open; they can be requested again once it is closed.`,
    );
  }
  return notes;
}

function exportAuditEntry(
  actor: string,
  role: string | null,
  at: Date,
  outcome: 'accepted' | 'rejected',
  subject: string,
  data: Record<string, unknown>,
) {
  return {
    stream: SUBJECT_ACCESS_STREAM,
    caseId: null,
    type: 'SUBJECT_EXPORT',
    outcome,
    actor,
    actorRole: role,
    at,
    fromState: null,
    toState: null,
    reason: outcome === 'rejected' ? 'the person holds neither the hr nor the privacy role' : null,
    data: { subject, ...data },
  };
}
