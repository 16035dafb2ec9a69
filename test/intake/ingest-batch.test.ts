import { eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { showCase } from '../../src/cases/show-case.ts';
import type { Signal } from '../../src/feeds/signal.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { cases, signals, timers } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const now = new Date('2026-12-01T09:00:00Z');
const options = { reopenWindowHours: 72, now };

describeStores('intake batch', (current) => {
  beforeAll(async () => {
    await seedExampleDirectory(current().store.db);
  });

  const ingestAll = (batch: Signal[], at = now) =>
    current().store.db.transaction((tx) => ingestBatch(tx, batch, { ...options, now: at }));
  const ingest = async (signal: Signal, at = now) => {
    const [result] = await ingestAll([signal], at);
    return { outcome: result!.outcome, caseId: result!.caseId! };
  };

  it('opens a case with timers for a new subject', async () => {
    const result = await ingest(
      makeSignal({
        subject: { email: 'sam.ortiz@example.com', externalIds: [], displayName: null },
      }),
    );
    expect(result.outcome).toBe('created');
    const detail = await showCase(current().store.db, result.caseId, { revealIdentity: true });
    expect(detail.state).toBe('triage');
    expect(detail.subject.resolved).toBe(true);
    expect(detail.subject.identity?.email).toBe('sam.ortiz@example.com');
    expect(detail.events.map((event) => event.type)).toEqual(['OPEN']);
    const rows = await current()
      .store.db.select()
      .from(timers)
      .where(eq(timers.caseId, result.caseId));
    expect(rows.map((row) => row.kind).sort()).toEqual(['escalate', 'remind']);
    expect(rows.every((row) => row.status === 'pending' && row.state === 'triage')).toBe(true);
  });

  it('stores the same record twice as one signal', async () => {
    const signal = makeSignal({
      subject: { email: 'lee.chen@example.com', externalIds: [], displayName: null },
    });
    const first = await ingest(signal);
    const second = await ingest({ ...signal, raw: structuredClone(signal.raw) });
    expect(first.outcome).toBe('created');
    expect(second.outcome).toBe('duplicate');
    const rows = await current()
      .store.db.select()
      .from(signals)
      .where(eq(signals.externalId, signal.externalId));
    expect(rows).toHaveLength(1);
  });

  it('stores an updated record as a new version on the same case', async () => {
    const signal = makeSignal({
      subject: { email: 'lee.chen@example.com', externalIds: [], displayName: null },
    });
    const first = await ingest(signal);
    const updated = await ingest({
      ...signal,
      severity: 'high',
      raw: { id: signal.externalId, status: 'updated' },
    });
    expect(updated.outcome).toBe('grouped');
    expect(updated.caseId).toBe(first.caseId);
    const rows = await current()
      .store.db.select()
      .from(signals)
      .where(eq(signals.externalId, signal.externalId));
    expect(rows.map((row) => row.version).sort()).toEqual([1, 2]);
  });

  it('groups signals of one person across feeds, ids and letter case', async () => {
    const byEmail = await ingest(
      makeSignal({
        source: 'incydr',
        subject: { email: 'Dana.Lee@Example.com', externalIds: [], displayName: null },
      }),
    );
    const byId = await ingest(
      makeSignal({
        source: 'exabeam',
        severity: 'critical',
        subject: { email: null, externalIds: ['dlee'], displayName: null },
      }),
    );
    expect(byEmail.outcome).toBe('created');
    expect(byId.outcome).toBe('grouped');
    expect(byId.caseId).toBe(byEmail.caseId);
    const detail = await showCase(current().store.db, byEmail.caseId);
    expect(detail.priority).toBe('critical');
    expect(detail.signals).toHaveLength(2);
    expect(detail.events.map((event) => event.type)).toEqual(['OPEN', 'SIGNAL_ADDED']);
  });

  it('opens an unresolved case for a subject outside the directory', async () => {
    const result = await ingest(
      makeSignal({
        subject: { email: 'Contractor.X@example.org', externalIds: [], displayName: 'X' },
      }),
    );
    const detail = await showCase(current().store.db, result.caseId, { revealIdentity: true });
    expect(detail.subject.resolved).toBe(false);
    expect(detail.subject.identity?.key).toBe('email:contractor.x@example.org');
  });

  it('reopens a case closed within the window and opens a new one after it', async () => {
    const subject = { email: 'olivia.park@example.com', externalIds: [], displayName: null };
    const opened = await ingest(makeSignal({ subject }));
    await actOnCase(
      { db: current().store.db, logger: silentLogger, now: () => now },
      {
        caseRef: opened.caseId,
        actorEmail: people.analyst,
        event: { type: 'DISMISS', outcome: 'benign', reason: 'Expected transfer' },
      },
    );

    const soon = new Date(now.getTime() + 24 * 3_600_000);
    const reopened = await ingest(makeSignal({ subject }), soon);
    expect(reopened.outcome).toBe('grouped');
    expect(reopened.caseId).toBe(opened.caseId);
    const detail = await showCase(current().store.db, opened.caseId);
    expect(detail.state).toBe('triage');
    expect(detail.events.map((event) => event.type)).toEqual([
      'OPEN',
      'DISMISS',
      'REOPEN',
      'SIGNAL_ADDED',
    ]);

    await actOnCase(
      { db: current().store.db, logger: silentLogger, now: () => soon },
      {
        caseRef: opened.caseId,
        actorEmail: people.analyst,
        event: { type: 'DISMISS', outcome: 'benign', reason: 'Still expected' },
      },
    );
    const late = new Date(soon.getTime() + 73 * 3_600_000);
    const fresh = await ingest(makeSignal({ subject }), late);
    expect(fresh.outcome).toBe('created');
    expect(fresh.caseId).not.toBe(opened.caseId);
    const open = await current()
      .store.db.select()
      .from(cases)
      .where(eq(cases.subjectEmail, 'olivia.park@example.com'));
    expect(open.filter((row) => row.state !== 'closed')).toHaveLength(1);
  });

  it('handles repeats and one subject twice within a batch', async () => {
    const subject = { email: 'maria.gomez@example.com', externalIds: [], displayName: null };
    const first = makeSignal({ subject, severity: 'low' });
    const second = makeSignal({ subject, severity: 'high' });
    const updated = { ...first, raw: { id: first.externalId, status: 'updated' } };
    const results = await ingestAll([first, second, first, updated]);
    expect(results.map((result) => result.outcome)).toEqual([
      'created',
      'grouped',
      'duplicate',
      'grouped',
    ]);
    expect(results[1]!.caseId).toBe(results[0]!.caseId);
    expect(results[2]!.caseId).toBeNull();

    const detail = await showCase(current().store.db, results[0]!.caseId!);
    expect(detail.priority).toBe('high');
    expect(detail.version).toBe(3);
    expect(detail.events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'OPEN'],
      [2, 'SIGNAL_ADDED'],
      [3, 'SIGNAL_ADDED'],
    ]);
    const versions = await current()
      .store.db.select()
      .from(signals)
      .where(eq(signals.externalId, first.externalId));
    expect(versions.map((row) => row.version).sort()).toEqual([1, 2]);
  });
});
