import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { showCase } from '../../src/cases/show-case.ts';
import { formatRetentionPlan, formatRetentionRun } from '../../src/cli/retention-commands.ts';
import { isCasebridgeError } from '../../src/errors.ts';
import {
  dropFileEventPartitionsBefore,
  ensureFileEventPartitions,
  listFileEventPartitions,
} from '../../src/files/file-event-partitions.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { ANONYMISED_TITLE } from '../../src/retention/anonymise-case.ts';
import { planRetention } from '../../src/retention/plan-retention.ts';
import { retentionConfigSchema } from '../../src/retention/retention-policy.ts';
import { runRetention } from '../../src/retention/run-retention.ts';
import { auditEvents, cases, people as peopleTable, signals } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const DAY_MS = 86_400_000;

const config = retentionConfigSchema.parse({
  default: { days: 365 },
  outcomes: { false_positive: 30, benign: 60 },
  countries: { DE: { days: 90, outcomes: { benign: 10 } } },
  signalsDays: 20,
});

describeStores('retention run', (current) => {
  const db = () => current().store.db;
  const act = (
    caseRef: string,
    actorEmail: string,
    event: Record<string, unknown> & { type: string },
  ) => actOnCase({ db: db(), logger: silentLogger }, { caseRef, actorEmail, event });
  const daysAfter = (days: number) => new Date(Date.now() + days * DAY_MS);

  /** Opens a case for `email` with one signal and dismisses it with `outcome`; returns its key. */
  const closedCase = async (email: string, outcome: string) => {
    const [opened] = await db().transaction((tx) =>
      ingestBatch(
        tx,
        [
          makeSignal({
            subject: { email, externalIds: [], displayName: null },
            title: `copy by ${email}`,
          }),
        ],
        { reopenWindowHours: 0, now: new Date() },
      ),
    );
    const key = (await showCase(db(), opened!.caseId!)).key;
    await act(key, people.analyst, { type: 'NOTE', text: `${email} said it was a backup` });
    await act(key, people.analyst, { type: 'DISMISS', outcome, reason: `checked with ${email}` });
    return key;
  };

  let germanBenign: string;
  let germanFalsePositive: string;
  let otherBenign: string;

  beforeAll(async () => {
    await seedExampleDirectory(db());
    await db()
      .update(peopleTable)
      .set({ country: 'DE' })
      .where(eq(peopleTable.email, people.subject));
    germanBenign = await closedCase(people.subject, 'benign');
    germanFalsePositive = await closedCase(people.subject, 'false_positive');
    otherBenign = await closedCase('sam.ortiz@example.com', 'benign');
  });

  describe('plan', () => {
    it('previews and reports dropped partitions', async () => {
      await ensureFileEventPartitions(db(), ['2021-03-03']);
      const withFiles = retentionConfigSchema.parse({ default: { days: 365 }, fileEventsDays: 90 });
      const asOf = new Date('2021-07-01T12:00:00Z');

      const plan = await planRetention(db(), withFiles, asOf);
      expect(plan.fileEvents).toEqual({
        observedBefore: '2021-04-02',
        partitions: ['file_events_20210303'],
        defaultRows: 0,
      });
      expect(formatRetentionPlan(plan)).toContain(
        'File-event partitions to drop (events before 2021-04-02): file_events_20210303; older rows of the default partition to delete: 0',
      );
      expect((await planRetention(db(), config, asOf)).fileEvents).toBeNull();

      const hooks = {
        dropFileEventPartitionsBefore: (before: Date) =>
          dropFileEventPartitionsBefore(db(), before),
      };
      const result = await runRetention(
        { db: db(), logger: silentLogger, config: withFiles, hooks },
        asOf,
      );
      expect(result.fileEvents).toEqual(['file_events_20210303']);
      expect(formatRetentionRun(result)).toContain(
        'file-event partitions dropped: file_events_20210303',
      );
      expect(await listFileEventPartitions(db())).not.toContain('file_events_20210303');
    });

    it('picks the most specific rule', async () => {
      const plan = await planRetention(db(), config, daysAfter(400));
      const rules = Object.fromEntries(plan.cases.map((entry) => [entry.key, entry.rule]));
      expect(rules[germanBenign]).toBe('countries.DE.outcomes.benign');
      expect(rules[germanFalsePositive]).toBe('countries.DE.days');
      expect(rules[otherBenign]).toBe('outcomes.benign');
    });

    it('lists only cases past their period', async () => {
      const keys = async (days: number) =>
        (await planRetention(db(), config, daysAfter(days))).cases.map((entry) => entry.key).sort();
      expect(await keys(5)).toEqual([]);
      expect(await keys(11)).toEqual([germanBenign]);
      expect(await keys(61)).toEqual([germanBenign, otherBenign].sort());
      expect(await keys(91)).toEqual([germanBenign, germanFalsePositive, otherBenign].sort());
    });

    it('writes nothing', async () => {
      const before = await verifyAudit(db());
      await planRetention(db(), config, daysAfter(400));
      const after = await verifyAudit(db());
      expect(after.events).toBe(before.events);
      expect(
        (await showCase(db(), germanBenign, { revealIdentity: true })).subject.identity?.email,
      ).toBe(people.subject);
    });
  });

  describe('run', () => {
    it('anonymises due cases only', async () => {
      const result = await runRetention({ db: db(), logger: silentLogger, config }, daysAfter(11));
      expect(result.anonymised.map((entry) => entry.key)).toEqual([germanBenign]);
      expect(result.failed).toEqual([]);

      const detail = await showCase(db(), germanBenign, { revealIdentity: true });
      expect(detail.subject.identity?.key).toMatch(/^tombstone:/);
      expect(detail.subject.identity?.email).toBeNull();
      expect(detail.signals.map((signal) => signal.title)).toEqual([ANONYMISED_TITLE]);
      const kept = await showCase(db(), otherBenign, { revealIdentity: true });
      expect(kept.subject.identity?.email).toBe('sam.ortiz@example.com');
    });

    it('removes evidence and keeps the chain', async () => {
      const [row] = await db().select().from(cases).where(eq(cases.key, germanBenign));
      const [signal] = await db().select().from(signals).where(eq(signals.caseId, row!.id));
      expect(signal!.raw).toBeNull();
      expect(signal!.signal).toEqual({});
      expect(JSON.stringify(row!.snapshot)).not.toContain(people.subject);
      expect(JSON.stringify(row!.snapshot)).not.toContain(people.manager);

      const events = await db()
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.stream, row!.id))
        .orderBy(auditEvents.seq);
      const last = events.at(-1)!;
      expect(last.type).toBe('ANONYMISE');
      expect(last.redacted).toBe(false);
      expect(last.data).toMatchObject({ rule: 'countries.DE.outcomes.benign', retentionDays: 10 });
      const earlier = events.slice(0, -1);
      expect(earlier.every((event) => event.redacted && event.reason === null)).toBe(true);
      expect(JSON.stringify(earlier)).not.toContain('dana');

      const verification = await verifyAudit(db());
      expect(verification.ok).toBe(true);
      expect(verification.redacted).toBe(earlier.length);
    });

    it('refuses to reopen an anonymised case', async () => {
      const attempt = act(germanBenign, people.analyst, { type: 'REOPEN', reason: 'new evidence' });
      await expect(attempt).rejects.toSatisfy(
        (error) => isCasebridgeError(error) && error.code === 'TRANSITION_NOT_ALLOWED',
      );
    });

    it('is idempotent', async () => {
      const again = await runRetention({ db: db(), logger: silentLogger, config }, daysAfter(11));
      expect(again.anonymised).toEqual([]);
    });
  });

  describe('legal hold', () => {
    it('stops anonymisation until released', async () => {
      await act(otherBenign, people.legal, {
        type: 'LEGAL_HOLD',
        hold: true,
        reason: 'litigation',
      });

      const plan = await planRetention(db(), config, daysAfter(61));
      expect(plan.cases.find((entry) => entry.key === otherBenign)?.action).toBe('held');
      const held = await runRetention({ db: db(), logger: silentLogger, config }, daysAfter(61));
      expect(held.held.map((entry) => entry.key)).toEqual([otherBenign]);
      expect(held.anonymised).toEqual([]);
      expect(
        (await showCase(db(), otherBenign, { revealIdentity: true })).subject.identity?.email,
      ).toBe('sam.ortiz@example.com');

      await act(otherBenign, people.legal, { type: 'LEGAL_HOLD', hold: false, reason: 'settled' });
      const released = await runRetention(
        { db: db(), logger: silentLogger, config },
        daysAfter(61),
      );
      expect(released.anonymised.map((entry) => entry.key)).toEqual([otherBenign]);
    });
  });

  describe('raw signals', () => {
    it('deletes raw payloads of closed cases only', async () => {
      const [open] = await db().transaction((tx) =>
        ingestBatch(
          tx,
          [
            makeSignal({
              subject: { email: 'lee.chen@example.com', externalIds: [], displayName: null },
            }),
          ],
          { reopenWindowHours: 0, now: new Date() },
        ),
      );
      const closed = await closedCase(people.manager, 'benign');
      const result = await runRetention({ db: db(), logger: silentLogger, config }, daysAfter(21));
      expect(result.rawSignalsDeleted).toBe(1);
      expect(result.anonymised).toEqual([]);

      const [openSignal] = await db()
        .select()
        .from(signals)
        .where(eq(signals.caseId, open!.caseId!));
      expect(openSignal!.raw).not.toBeNull();
      const [closedRow] = await db().select().from(cases).where(eq(cases.key, closed));
      const [expired] = await db().select().from(signals).where(eq(signals.caseId, closedRow!.id));
      expect(expired!.raw).toBeNull();
      expect(expired!.title).not.toBe(ANONYMISED_TITLE);
      const [record] = await db()
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.type, 'RAW_SIGNALS_DELETED'))
        .orderBy(auditEvents.seq);
      expect(record?.stream).toBe('retention');
      expect((await verifyAudit(db())).ok).toBe(true);
    });
  });

  describe('tampering', () => {
    it('detects an edited redacted digest', async () => {
      const [row] = await db().select().from(cases).where(eq(cases.key, germanBenign));
      const where = and(eq(auditEvents.stream, row!.id), eq(auditEvents.seq, 1));
      const [original] = await db().select().from(auditEvents).where(where);
      await db()
        .update(auditEvents)
        .set({ contentDigest: 'f'.repeat(64) })
        .where(where);
      const verification = await verifyAudit(db());
      await db().update(auditEvents).set({ contentDigest: original!.contentDigest }).where(where);

      expect(verification.ok).toBe(false);
      expect(verification.firstBreak).toMatchObject({ stream: row!.id, seq: 1 });
    });

    it('detects a row marked redacted to hide an edit', async () => {
      const [row] = await db().select().from(cases).where(eq(cases.key, germanFalsePositive));
      const where = and(eq(auditEvents.stream, row!.id), eq(auditEvents.seq, 2));
      const [original] = await db().select().from(auditEvents).where(where);
      await db().update(auditEvents).set({ redacted: true, reason: 'nothing to see' }).where(where);
      const verification = await verifyAudit(db());
      await db()
        .update(auditEvents)
        .set({ redacted: false, reason: original!.reason })
        .where(where);

      expect(verification.ok).toBe(false);
      expect(verification.firstBreak?.problem).toContain('no later event records the redaction');
    });
  });
});
