import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { isCasebridgeError } from '../../src/errors.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { addToWatchlist } from '../../src/people/watchlists.ts';
import { retentionConfigSchema } from '../../src/retention/retention-policy.ts';
import { runRetention } from '../../src/retention/run-retention.ts';
import { auditEvents } from '../../src/store/schema.ts';
import { exportSubject, SUBJECT_ACCESS_STREAM } from '../../src/subject-access/export-subject.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const privacyOfficer = 'pia.privacy@example.com';

describeStores('subject export', (current) => {
  const db = () => current().store.db;
  const act = (
    caseRef: string,
    actorEmail: string,
    event: Record<string, unknown> & { type: string },
  ) => actOnCase({ db: db(), logger: silentLogger }, { caseRef, actorEmail, event });
  const open = async (email: string, title: string) => {
    const [result] = await db().transaction((tx) =>
      ingestBatch(
        tx,
        [makeSignal({ subject: { email, externalIds: [], displayName: null }, title })],
        { reopenWindowHours: 0, now: new Date() },
      ),
    );
    return result!.caseId!;
  };
  const exportAs = (actorEmail: string, subjectEmail: string, redactOpenCases = true) =>
    exportSubject(db(), { redactOpenCases }, { subjectEmail, actorEmail });

  let closedId: string;

  beforeAll(async () => {
    await seedExampleDirectory(db());
    closedId = await open(people.subject, 'USB copy of payroll.xlsx');
    await act(closedId, people.analyst, { type: 'NOTE', text: 'Manager confirmed the backup' });
    await act(closedId, people.analyst, {
      type: 'DISMISS',
      outcome: 'benign',
      reason: 'approved backup',
    });
    const openId = await open(people.subject, 'Upload of design.pdf to a personal drive');
    await act(openId, people.analyst, { type: 'NOTE', text: 'Interview planned for Monday' });
  });

  it('contains the person, cases, signals and events', async () => {
    const document = await exportAs(privacyOfficer, 'Dana.Lee@example.com');
    expect(document.subject).toBe(people.subject);
    expect(document.person?.name).toBe('Dana Lee');
    expect(document.cases).toHaveLength(2);
    const closed = document.cases.find((entry) => entry.state === 'closed')!;
    expect(closed.outcome).toBe('benign');
    expect(closed.withheld).toBe(false);
    expect(closed.signals.map((signal) => signal.title)).toEqual(['USB copy of payroll.xlsx']);
    expect(closed.events.map((event) => event.reason)).toContain('Manager confirmed the backup');
    expect(JSON.stringify(closed.events)).not.toContain(people.analyst);
    expect(document.watchlists).toEqual([]);
  });

  it('withholds evidence and notes of open cases', async () => {
    const document = await exportAs(privacyOfficer, people.subject);
    const openCase = document.cases.find((entry) => entry.state !== 'closed')!;
    expect(openCase.withheld).toBe(true);
    expect(openCase.signals).toEqual([]);
    expect(openCase.signalsWithheld).toBe(1);
    expect(openCase.events.every((event) => event.reason === null)).toBe(true);
    expect(JSON.stringify(document)).not.toContain('Interview planned');
    expect(JSON.stringify(document)).not.toContain('design.pdf');
    expect(document.notes.join(' ')).toContain('withheld because the investigation is still open');

    const unredacted = await exportAs(privacyOfficer, people.subject, false);
    expect(JSON.stringify(unredacted)).toContain('Interview planned');
  });

  it('is audited in the subject-access stream', async () => {
    const before = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.stream, SUBJECT_ACCESS_STREAM));
    await exportAs(people.hr, people.subject);
    const after = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.stream, SUBJECT_ACCESS_STREAM))
      .orderBy(auditEvents.seq);
    expect(after).toHaveLength(before.length + 1);
    const entry = after.at(-1)!;
    expect(entry).toMatchObject({
      type: 'SUBJECT_EXPORT',
      outcome: 'accepted',
      actor: people.hr,
      actorRole: 'hr',
    });
    expect(entry.data).toMatchObject({ subject: people.subject, cases: 2 });
    expect((await verifyAudit(db())).ok).toBe(true);
  });

  it('rejects and audits other roles', async () => {
    let code = 'no error';
    try {
      await exportAs(people.analyst, people.subject);
    } catch (error) {
      if (!isCasebridgeError(error)) throw error;
      code = error.code;
    }
    expect(code).toBe('NOT_AUTHORIZED');
    const [last] = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.stream, SUBJECT_ACCESS_STREAM))
      .orderBy(auditEvents.seq)
      .then((rows) => rows.slice(-1));
    expect(last).toMatchObject({ outcome: 'rejected', actor: people.analyst });
  });

  it('finds no anonymised case', async () => {
    const config = retentionConfigSchema.parse({ default: { days: 1 } });
    const result = await runRetention(
      { db: db(), logger: silentLogger, config },
      new Date(Date.now() + 3 * 86_400_000),
    );
    expect(result.anonymised).toHaveLength(1);
    const document = await exportAs(privacyOfficer, people.subject);
    expect(document.cases.map((entry) => entry.state)).toEqual(['triage']);
  });

  it('lists watchlist memberships', async () => {
    await addToWatchlist(db(), {
      list: 'contractors',
      email: people.subject,
      actorEmail: people.analyst,
      reason: 'Build server access',
      now: new Date('2026-12-01T09:00:00Z'),
    });
    const document = await exportAs(privacyOfficer, people.subject);

    expect(document.watchlists).toEqual([
      {
        list: 'contractors',
        cause: 'person',
        startsAt: '2026-12-01T09:00:00.000Z',
        endsAt: null,
        endedAt: null,
        reason: 'Build server access',
      },
    ]);
    expect(JSON.stringify(document.watchlists)).not.toContain(people.analyst);
  });
});
