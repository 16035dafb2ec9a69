import { and, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { appendAuditEvent } from '../../src/audit/append-audit-event.ts';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { auditEvents } from '../../src/store/schema.ts';
import { describeStores } from '../support/stores.ts';

const base = {
  caseId: null,
  outcome: 'accepted' as const,
  actor: 'ann.analyst@example.com',
  actorRole: 'security',
  fromState: 'triage',
  toState: 'triage',
  reason: 'looked at it',
  data: { n: 1 },
};

describeStores('audit chain', (current) => {
  async function seed(stream: string, count: number) {
    const { db } = current().store;
    await db.transaction(async (tx) => {
      for (let i = 0; i < count; i++) {
        await appendAuditEvent(tx, {
          ...base,
          stream,
          type: 'NOTE',
          at: new Date(Date.UTC(2026, 0, 1, 0, i)),
          data: { n: i },
        });
      }
    });
  }

  it('verifies an intact chain', async () => {
    await seed('stream-a', 5);
    await seed('stream-b', 3);
    const result = await verifyAudit(current().store.db);
    expect(result).toEqual({ ok: true, events: 8, redacted: 0 });
  });

  it('detects an edited row', async () => {
    const { db } = current().store;
    await seed('edited', 4);
    await db
      .update(auditEvents)
      .set({ reason: 'nothing to see' })
      .where(and(eq(auditEvents.stream, 'edited'), eq(auditEvents.seq, 2)));
    const result = await verifyAudit(db);
    expect(result.ok).toBe(false);
    expect(result.firstBreak?.stream).toBe('edited');
    expect(result.firstBreak?.seq).toBe(2);
    expect(result.firstBreak?.problem).toMatch(/edited/);
    await db.delete(auditEvents).where(eq(auditEvents.stream, 'edited'));
    await db.execute(sql`delete from audit_heads where stream = 'edited'`);
  });

  it('detects a deleted middle row', async () => {
    const { db } = current().store;
    await seed('gap', 4);
    await db.delete(auditEvents).where(and(eq(auditEvents.stream, 'gap'), eq(auditEvents.seq, 3)));
    const result = await verifyAudit(db);
    expect(result.ok).toBe(false);
    expect(result.firstBreak?.stream).toBe('gap');
    expect(result.firstBreak?.seq).toBe(4);
    expect(result.firstBreak?.problem).toMatch(/deleted/);
    await db.delete(auditEvents).where(eq(auditEvents.stream, 'gap'));
    await db.execute(sql`delete from audit_heads where stream = 'gap'`);
  });

  it('detects a deleted last row', async () => {
    const { db } = current().store;
    await seed('tail', 3);
    await db.delete(auditEvents).where(and(eq(auditEvents.stream, 'tail'), eq(auditEvents.seq, 3)));
    const result = await verifyAudit(db);
    expect(result.ok).toBe(false);
    expect(result.firstBreak?.stream).toBe('tail');
    expect(result.firstBreak?.problem).toMatch(/end/);
    await db.delete(auditEvents).where(eq(auditEvents.stream, 'tail'));
    await db.execute(sql`delete from audit_heads where stream = 'tail'`);
  });

  it('accepts a redacted row by its digest', async () => {
    const { db } = current().store;
    await seed('redacted', 3);
    await db
      .update(auditEvents)
      .set({ reason: null, data: {}, actor: 'redacted', redacted: true })
      .where(and(eq(auditEvents.stream, 'redacted'), eq(auditEvents.seq, 2)));
    await appendAuditEvent(db, {
      ...base,
      stream: 'redacted',
      type: 'ANONYMISE',
      at: new Date(Date.UTC(2026, 0, 2)),
      reason: null,
      data: { redactedThrough: 3 },
    });
    const result = await verifyAudit(db);
    expect(result).toEqual({ ok: true, events: 12, redacted: 1 });
    await db.delete(auditEvents).where(eq(auditEvents.stream, 'redacted'));
    await db.execute(sql`delete from audit_heads where stream = 'redacted'`);
  });

  it('rejects a redaction nothing records', async () => {
    const { db } = current().store;
    await seed('unrecorded', 3);
    await db
      .update(auditEvents)
      .set({ reason: 'rewritten', redacted: true })
      .where(and(eq(auditEvents.stream, 'unrecorded'), eq(auditEvents.seq, 2)));
    const result = await verifyAudit(db);
    expect(result.ok).toBe(false);
    expect(result.firstBreak).toMatchObject({ stream: 'unrecorded', seq: 2 });
    expect(result.firstBreak?.problem).toMatch(/no later event records the redaction/);
    await db.delete(auditEvents).where(eq(auditEvents.stream, 'unrecorded'));
    await db.execute(sql`delete from audit_heads where stream = 'unrecorded'`);
  });

  it('passes again once tampered streams are gone', async () => {
    const result = await verifyAudit(current().store.db);
    expect(result.ok).toBe(true);
    expect(result.events).toBe(8);
  });
});
