import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAudit } from '../../src/audit/verify-audit.ts';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { localCaseService } from '../../src/cases/case-service.ts';
import { loadPseudonymKey } from '../../src/cases/pseudonym.ts';
import { loadCaseView } from '../../src/chat/load-case-view.ts';
import { CasebridgeError } from '../../src/errors.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { expireReveals } from '../../src/privacy/expire-reveals.ts';
import { auditEvents, caseThreads, identityReveals, roleGrants } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { drainOutbox } from '../support/drain-outbox.ts';
import { type FakeSlackApi, startCaseWorkspace } from '../support/fake-slack-api.ts';
import { describeStores } from '../support/stores.ts';
import { TestClock } from '../support/test-clock.ts';

const routing = {
  security: { slack: 'CSECURITY1' },
  hr: { slack: 'CHRTEAM01' },
};
const notifier = createCaseNotifier(routing, ['slack']);
const subjectName = 'Dana Lee';
const privacyOfficer = 'olivia.park@example.com';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CasebridgeError) return error.code;
    throw error;
  }
  return 'no error';
}

describeStores('identity reveal', (current) => {
  let slack: FakeSlackApi;
  // Outbox rows become due at the database's now(), so the test clock starts at the real time.
  const clock = new TestClock();
  let decidedAt = 0;
  const now = clock.now;
  const db = () => current().store.db;
  const service = () =>
    localCaseService({
      db: db(),
      logger: silentLogger,
      reopenWindowHours: 0,
      revealHours: 8,
      now,
    });
  let caseId = '';

  const drain = () => drainOutbox({ db: db(), slack, clock, includeReveal: true });

  const threadRoot = async (audience: string) => {
    const [thread] = await db()
      .select()
      .from(caseThreads)
      .where(and(eq(caseThreads.caseId, caseId), eq(caseThreads.audience, audience)));
    return thread!.rootId!;
  };
  const cardText = async (audience: string, channel: string) =>
    JSON.stringify(slack.messages.get(`${channel}:${await threadRoot(audience)}`));
  const replies = async (audience: string) => {
    const root = await threadRoot(audience);
    return [...slack.messages.values()]
      .filter((message) => message.threadTs === root)
      .map((message) => message.text);
  };

  beforeAll(async () => {
    slack = await startCaseWorkspace();
    await seedExampleDirectory(db());
    await db().insert(roleGrants).values({ email: privacyOfficer, role: 'privacy' });

    const [opened] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal()], { reopenWindowHours: 0, now: now(), notifier }),
    );
    caseId = opened!.caseId!;
    await actOnCase(
      { db: db(), logger: silentLogger, notifier, now },
      {
        caseRef: caseId,
        actorEmail: people.analyst,
        event: { type: 'ESCALATE', summary: `${subjectName} copied source code` },
      },
    );
    await drain();
  });

  afterAll(async () => {
    await slack.close();
  });

  it('keeps security pseudonymous before a reveal', async () => {
    const card = await cardText('security', 'CSECURITY1');
    expect(card).not.toContain(subjectName);
    expect(card).not.toContain(people.subject);
    const shown = await service().show(caseId);
    expect(shown.subject.identity).toBeNull();
    expect(JSON.stringify(shown)).not.toContain(people.subject);
    expect(JSON.stringify(shown)).not.toContain(subjectName);
    expect(card).toContain(shown.subject.pseudonym);
  });

  it('rejects a request from outside security', async () => {
    const request = service().reveal(caseId, { action: 'request', as: people.hr, reason: 'x' });
    expect(await codeOf(request)).toBe('NOT_AUTHORIZED');
  });

  it('rejects a request without a reason', async () => {
    const request = service().reveal(caseId, {
      action: 'request',
      as: people.analyst,
      reason: ' ',
    });
    expect(await codeOf(request)).toBe('EVENT_INVALID');
  });

  it('asks HR in its thread', async () => {
    const result = await service().reveal(caseId, {
      action: 'request',
      as: people.analyst,
      reason: 'Need to check the badge log',
    });
    expect(result.status).toBe('pending');
    const again = service().reveal(caseId, {
      action: 'request',
      as: people.analyst2,
      reason: 'Second request',
    });
    expect(await codeOf(again)).toBe('ALREADY_DECIDED');

    await drain();
    expect(await replies('hr')).toContain(
      `${people.analyst} asked to see the identity of this case's subject, for this reason: Need to check the badge log`,
    );
    expect(await cardText('hr', 'CHRTEAM01')).toContain('casebridge cases reveal approve');
    expect(await cardText('security', 'CSECURITY1')).not.toContain(subjectName);
  });

  it('rejects approval by the requester or security', async () => {
    const byRequester = service().reveal(caseId, { action: 'approve', as: people.analyst });
    expect(await codeOf(byRequester)).toBe('NOT_AUTHORIZED');
    const bySecurity = service().reveal(caseId, { action: 'approve', as: people.analyst2 });
    expect(await codeOf(bySecurity)).toBe('NOT_AUTHORIZED');
  });

  it('shows the identity in the security thread once approved', async () => {
    const decideAt = now();
    decidedAt = decideAt.getTime();
    const result = await service().reveal(caseId, {
      action: 'approve',
      as: people.hr,
      reason: 'Badge check is justified',
    });
    expect(result.status).toBe('approved');
    const expiresAt = Date.parse((result as { expiresAt: string }).expiresAt);
    expect(expiresAt - decideAt.getTime()).toBe(8 * 3_600_000);

    await drain();
    const securityCard = await cardText('security', 'CSECURITY1');
    expect(securityCard).toContain(subjectName);
    expect(securityCard).toContain(people.subject);
    expect(await replies('security')).toContainEqual(
      expect.stringContaining(`${people.hr} approved the identity reveal`),
    );

    // A private view elsewhere, such as `/case show`, stays pseudonymous.
    const privateView = await loadCaseView(
      db(),
      await loadPseudonymKey(db()),
      caseId,
      'security',
      'en',
    );
    expect(JSON.stringify(privateView)).not.toContain(subjectName);
  });

  it('audits who, why and when', async () => {
    const rows = await db()
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.caseId, caseId))
      .orderBy(asc(auditEvents.seq));
    const requested = rows.find((row) => row.type === 'REVEAL_REQUESTED')!;
    const approved = rows.find((row) => row.type === 'REVEAL_APPROVED')!;
    expect(requested.actor).toBe(people.analyst);
    expect(requested.reason).toBe('Need to check the badge log');
    expect(approved.actor).toBe(people.hr);
    expect(approved.actorRole).toBe('hr');
    expect(approved.reason).toBe('Badge check is justified');
    expect(approved.at.getTime()).toBe(decidedAt);
    expect(approved.stream).toBe(caseId);
    expect((await verifyAudit(db())).ok).toBe(true);
  });

  it('lets security see the identity in the CLI during the reveal', async () => {
    const shown = await service().show(caseId, { as: people.analyst2, reason: 'Follow-up' });
    expect(shown.subject.identity?.email).toBe(people.subject);
    const viewed = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.type, 'IDENTITY_VIEWED')));
    expect(viewed.map((row) => [row.actor, row.reason])).toEqual([[people.analyst2, 'Follow-up']]);
  });

  it('issues a fresh pseudonym when the reveal expires', async () => {
    const before = (await service().show(caseId)).subject.pseudonym;
    const early = await expireReveals({ db: db(), logger: silentLogger }, now());
    expect(early.expired).toBe(0);

    clock.set(decidedAt + 8 * 3_600_000 + 1000);
    const ended = await expireReveals({ db: db(), logger: silentLogger }, now());
    expect(ended.expired).toBe(1);
    const [reveal] = await db()
      .select()
      .from(identityReveals)
      .where(eq(identityReveals.caseId, caseId));
    expect(reveal!.status).toBe('expired');

    const after = (await service().show(caseId)).subject.pseudonym;
    expect(after).not.toBe(before);
    await drain();
    const securityCard = await cardText('security', 'CSECURITY1');
    expect(securityCard).not.toContain(subjectName);
    expect(securityCard).toContain(after);
    expect(securityCard).not.toContain(before);

    const denied = service().show(caseId, { as: people.analyst2, reason: 'Again' });
    expect(await codeOf(denied)).toBe('NOT_AUTHORIZED');
    const expired = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.caseId, caseId), eq(auditEvents.type, 'REVEAL_EXPIRED')));
    expect(expired).toHaveLength(1);
  });

  it('lets the privacy role reject a request', async () => {
    await service().reveal(caseId, { action: 'request', as: people.analyst2, reason: 'Again' });
    const result = await service().reveal(caseId, { action: 'reject', as: privacyOfficer });
    expect(result.status).toBe('rejected');
    const second = service().reveal(caseId, { action: 'reject', as: people.hr });
    expect(await codeOf(second)).toBe('REVEAL_NOT_FOUND');
  });

  it('rejects approval by someone who requested it with both roles', async () => {
    await db().insert(roleGrants).values({ email: people.hr2, role: 'security' });
    await service().reveal(caseId, { action: 'request', as: people.hr2, reason: 'Dual role' });
    const own = service().reveal(caseId, { action: 'approve', as: people.hr2 });
    expect(await codeOf(own)).toBe('NOT_AUTHORIZED');
  });
});
