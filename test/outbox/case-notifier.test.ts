import { asc, eq } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { caseThreads, outbox } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const routing = {
  security: { slack: 'CSECURITY1' },
  hr: { slack: 'CHRTEAM01' },
  legal: { slack: 'CLEGAL001' },
};
const notifier = createCaseNotifier(routing, ['slack']);

describeStores('case notifier', (current) => {
  const db = () => current().store.db;
  const act = (
    caseRef: string,
    actorEmail: string,
    event: Record<string, unknown> & { type: string },
  ) => actOnCase({ db: db(), logger: silentLogger, notifier }, { caseRef, actorEmail, event });
  const messagesOf = async (caseId: string) => {
    const rows = await db()
      .select({
        id: outbox.id,
        kind: outbox.kind,
        audience: caseThreads.audience,
        payload: outbox.payload,
      })
      .from(outbox)
      .innerJoin(caseThreads, eq(caseThreads.id, outbox.threadId))
      .where(eq(outbox.caseId, caseId))
      .orderBy(asc(outbox.id));
    return rows.map(
      (row) =>
        `${row.audience}:${row.kind}${row.kind === 'reply' ? `:${(row.payload as { notice: { type: string } }).notice.type}` : ''}`,
    );
  };

  beforeAll(async () => {
    await seedExampleDirectory(db());
  });

  it('opens threads as audiences join and updates the others', async () => {
    const subject = { email: people.subject, externalIds: [], displayName: null };
    const [opened, grouped] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal({ subject }), makeSignal({ subject })], {
        reopenWindowHours: 0,
        now: new Date(),
        notifier,
      }),
    );
    const caseId = opened!.caseId!;
    expect(grouped!.caseId).toBe(caseId);
    expect(await messagesOf(caseId)).toEqual([
      'security:card',
      'security:card',
      'security:reply:SIGNAL_ADDED',
    ]);

    await act(caseId, people.analyst, { type: 'ESCALATE', summary: 'Copied source code' });
    await act(caseId, people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });
    await act(caseId, people.manager, { type: 'ACKNOWLEDGE' });

    // Order matters within a thread; threads are independent of each other.
    const byAudience = (audience: string) =>
      messages
        .filter((message) => message.startsWith(`${audience}:`))
        .map((message) => message.slice(audience.length + 1));
    const messages = await messagesOf(caseId);
    expect(byAudience('security')).toEqual([
      'card',
      'card',
      'reply:SIGNAL_ADDED',
      'card',
      'reply:ESCALATE',
      'card',
      'reply:CHOOSE_RESPONSE',
      'card',
      'reply:ACKNOWLEDGE',
    ]);
    expect(byAudience('hr')).toEqual([
      'card',
      'card',
      'reply:CHOOSE_RESPONSE',
      'card',
      'reply:ACKNOWLEDGE',
    ]);
    expect(byAudience('manager')).toEqual(['card', 'card', 'reply:ACKNOWLEDGE']);
    expect(messages.indexOf('hr:card')).toBeGreaterThan(
      messages.indexOf('security:reply:ESCALATE'),
    );
    const threads = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const channels = Object.fromEntries(threads.map((thread) => [thread.audience, thread.channel]));
    expect(channels).toEqual({ security: 'CSECURITY1', hr: 'CHRTEAM01', manager: null });
  });

  it('writes nothing for a refused attempt', async () => {
    const subject = { email: 'sam.ortiz@example.com', externalIds: [], displayName: null };
    const [opened] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal({ subject })], {
        reopenWindowHours: 0,
        now: new Date(),
        notifier,
      }),
    );
    await expect(act(opened!.caseId!, people.legal, { type: 'APPROVE' })).rejects.toMatchObject({
      code: 'TRANSITION_NOT_ALLOWED',
    });
    expect(await messagesOf(opened!.caseId!)).toEqual(['security:card']);
  });
});
