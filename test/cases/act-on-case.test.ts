import { and, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { showCase } from '../../src/cases/show-case.ts';
import { isCasebridgeError } from '../../src/errors.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { openStore } from '../../src/store/db.ts';
import { auditEvents, roleGrants, timers } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

describeStores('act on case', (current, backend) => {
  const deps = () => ({ db: current().store.db, logger: silentLogger });
  const act = (
    caseRef: string,
    actorEmail: string,
    event: Record<string, unknown> & { type: string },
  ) => actOnCase(deps(), { caseRef, actorEmail, event });
  const openCaseFor = async (email: string) => {
    const [result] = await current().store.db.transaction((tx) =>
      ingestBatch(tx, [makeSignal({ subject: { email, externalIds: [], displayName: null } })], {
        reopenWindowHours: 0,
        now: new Date(),
      }),
    );
    return (await showCase(current().store.db, result!.caseId!)).key;
  };
  const errorCode = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      if (isCasebridgeError(error)) return error.code;
      throw error;
    }
    return 'no error';
  };

  beforeAll(async () => {
    await seedExampleDirectory(current().store.db);
  });

  it('runs the serious-action journey with four eyes', async () => {
    const key = await openCaseFor(people.subject);
    await act(key, people.analyst, { type: 'ESCALATE', summary: '340 source files copied to USB' });
    await act(key, people.hr, {
      type: 'CHOOSE_RESPONSE',
      response: 'serious_action',
      proposedAction: 'termination',
    });

    expect(await errorCode(act(key, people.analyst, { type: 'APPROVE' }))).toBe('NOT_AUTHORIZED');
    await act(key, people.legal, { type: 'APPROVE' });
    expect((await showCase(current().store.db, key)).state).toBe('legal_review');
    expect(await errorCode(act(key, people.legal, { type: 'APPROVE' }))).toBe('NOT_AUTHORIZED');
    await act(key, people.legal2, { type: 'APPROVE' });
    expect((await showCase(current().store.db, key)).state).toBe('action');
    await act(key, people.hr, { type: 'RECORD_ACTION', notes: 'Access revoked' });

    const detail = await showCase(current().store.db, key);
    expect(detail.state).toBe('closed');
    expect(detail.outcome).toBe('serious_action');
    const accepted = detail.events
      .filter((event) => event.outcome === 'accepted')
      .map((event) => event.type);
    expect(accepted).toEqual([
      'OPEN',
      'ESCALATE',
      'CHOOSE_RESPONSE',
      'APPROVE',
      'APPROVE',
      'RECORD_ACTION',
    ]);
    const rejected = detail.events.filter((event) => event.outcome === 'rejected');
    expect(rejected.map((event) => [event.type, event.actor])).toEqual([
      ['APPROVE', people.analyst],
      ['APPROVE', people.legal],
    ]);
    const pending = await current()
      .store.db.select()
      .from(timers)
      .where(and(eq(timers.caseId, detail.id), eq(timers.status, 'pending')));
    expect(pending).toHaveLength(0);
    expect((await verifyAudit(current().store.db)).ok).toBe(true);
  });

  it("refuses approval by the subject's manager", async () => {
    const key = await openCaseFor('sam.ortiz@example.com');
    expect(await errorCode(act(key, people.legal, { type: 'ESCALATE', summary: 'x' }))).toBe(
      'NOT_AUTHORIZED',
    );
    await act(key, people.analyst, { type: 'ESCALATE', summary: 'Uploads to personal cloud' });
    await act(key, people.hr, {
      type: 'CHOOSE_RESPONSE',
      response: 'serious_action',
      proposedAction: 'written_warning',
    });
    expect(await errorCode(act(key, people.manager, { type: 'APPROVE' }))).toBe('NOT_AUTHORIZED');
    await act(key, people.legal, { type: 'APPROVE' });
    expect((await showCase(current().store.db, key)).state).toBe('action');
    await act(key, people.hr, { type: 'RECORD_ACTION', notes: 'Warning issued' });
  });

  it('refuses approval by the escalating analyst who is also in Legal', async () => {
    await current().store.db.insert(roleGrants).values({ email: people.analyst2, role: 'legal' });
    const key = await openCaseFor('lee.chen@example.com');
    await act(key, people.analyst2, {
      type: 'ESCALATE',
      summary: 'Finance exports to personal drive',
    });
    await act(key, people.hr, {
      type: 'CHOOSE_RESPONSE',
      response: 'serious_action',
      proposedAction: 'suspension',
    });
    expect(await errorCode(act(key, people.analyst2, { type: 'APPROVE' }))).toBe('NOT_AUTHORIZED');
    const refused = (await showCase(current().store.db, key)).events.at(-1);
    expect(refused?.outcome).toBe('rejected');
    expect(refused?.reason).toMatch(/escalated/);
    await act(key, people.legal2, { type: 'APPROVE' });
    expect((await showCase(current().store.db, key)).state).toBe('action');
    await act(key, people.hr, { type: 'RECORD_ACTION', notes: 'Suspended pending review' });
    await current()
      .store.db.delete(roleGrants)
      .where(and(eq(roleGrants.email, people.analyst2), eq(roleGrants.role, 'legal')));
  });

  it('refuses events from the subject, unknown people and wrong states', async () => {
    const key = await openCaseFor(people.subject);
    expect(await errorCode(act(key, people.subject, { type: 'NOTE', text: 'hi' }))).toBe(
      'NOT_AUTHORIZED',
    );
    expect(
      await errorCode(
        act(key, 'nobody@example.com', { type: 'DISMISS', outcome: 'benign', reason: 'x' }),
      ),
    ).toBe('NOT_AUTHORIZED');
    expect(await errorCode(act(key, people.legal, { type: 'APPROVE' }))).toBe(
      'TRANSITION_NOT_ALLOWED',
    );
    expect(await errorCode(act(key, people.analyst, { type: 'ESCALATE' }))).toBe('EVENT_INVALID');
    expect(await errorCode(act('CB-9999', people.analyst, { type: 'NOTE', text: 'x' }))).toBe(
      'CASE_NOT_FOUND',
    );
    const detail = await showCase(current().store.db, key);
    expect(detail.state).toBe('triage');
    // EVENT_INVALID and CASE_NOT_FOUND never reach the case, so only three attempts are audited.
    expect(detail.events.filter((event) => event.outcome === 'rejected')).toHaveLength(3);
  });

  it('runs the manager notice path', async () => {
    const key = await openCaseFor('sam.ortiz@example.com');
    await act(key, people.analyst, {
      type: 'ESCALATE',
      summary: 'Personal e-mail of customer list',
    });
    await act(key, people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });
    expect(await errorCode(act(key, people.hr, { type: 'ACKNOWLEDGE' }))).toBe('NOT_AUTHORIZED');
    await act(key, people.manager, { type: 'ACKNOWLEDGE' });
    await act(key, people.hr2, { type: 'CLOSE', outcome: 'resolved' });
    const detail = await showCase(current().store.db, key);
    expect(detail.state).toBe('closed');
    expect(detail.outcome).toBe('resolved');
  });

  it.runIf(backend === 'postgres')('lets one of two concurrent decisions win', async () => {
    const key = await openCaseFor('lee.chen@example.com');
    await act(key, people.analyst, { type: 'ESCALATE', summary: 'Bulk download' });

    // A second process's store: two connection pools, as two bot replicas would have.
    const other = await openStore({ databaseUrl: current().databaseUrl! });
    try {
      const results = await Promise.allSettled([
        actOnCase(deps(), {
          caseRef: key,
          actorEmail: people.hr,
          event: { type: 'CHOOSE_RESPONSE', response: 'corrective_conversation' },
          expectedState: 'hr_review',
        }),
        actOnCase(
          { db: other.db, logger: silentLogger },
          {
            caseRef: key,
            actorEmail: people.hr2,
            event: { type: 'CHOOSE_RESPONSE', response: 'involve_manager' },
            expectedState: 'hr_review',
          },
        ),
      ]);
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const failed = results.filter((result) => result.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(failed).toHaveLength(1);
      const reason = (failed[0] as PromiseRejectedResult).reason;
      expect(isCasebridgeError(reason) ? reason.code : reason).toBe('ALREADY_DECIDED');

      const detail = await showCase(current().store.db, key);
      const choices = detail.events.filter((event) => event.type === 'CHOOSE_RESPONSE');
      expect(choices.filter((event) => event.outcome === 'accepted')).toHaveLength(1);
      expect(choices.filter((event) => event.outcome === 'rejected')).toHaveLength(1);
      expect(['conversation', 'manager_notice']).toContain(detail.state);
      const rows = await current()
        .store.db.select()
        .from(auditEvents)
        .where(eq(auditEvents.caseId, detail.id));
      expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index + 1));
      expect((await verifyAudit(current().store.db)).ok).toBe(true);
    } finally {
      await other.close();
    }
  });
});
