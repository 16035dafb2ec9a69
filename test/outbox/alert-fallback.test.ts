import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { localCaseService } from '../../src/cases/case-service.ts';
import { runCasesShow } from '../../src/cli/commands.ts';
import { createOutput } from '../../src/cli/output.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { cases, caseThreads, outbox } from '../../src/store/schema.ts';
import { openCaseFor, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { drainOutbox } from '../support/drain-outbox.ts';
import { type FakeSlackApi, startCaseWorkspace } from '../support/fake-slack-api.ts';
import { memoryStream } from '../support/memory-stream.ts';
import { describeStores } from '../support/stores.ts';
import { TestClock } from '../support/test-clock.ts';

const routing = {
  security: { slack: 'CSECURITY1' },
  hr: { slack: 'CHRTEAM01' },
  legal: { slack: 'CLEGAL001' },
};
const notifier = createCaseNotifier(routing, ['slack']);

describeStores('alert fallback', (current) => {
  let slack: FakeSlackApi;
  const clock = new TestClock();
  const now = clock.now;
  const db = () => current().store.db;

  const drain = (logger?: Logger) =>
    drainOutbox({ db: db(), slack, clock, routing, ...(logger === undefined ? {} : { logger }) });

  const openCase = async (email: string) => {
    const caseId = await openCaseFor(db(), email, { now: now(), notifier });
    const [row] = await db().select({ key: cases.key }).from(cases).where(eq(cases.id, caseId));
    return { caseId, key: row!.key };
  };

  const postsIn = (channel: string) =>
    [...slack.messages.values()].filter((message) => message.channel === channel);

  /** Runs `cases show <key>`, or `cases show <key> --json` when `json` is set, and returns stdout. */
  const show = async (key: string, json = false) => {
    const { stream, lines } = memoryStream();
    const service = localCaseService({ db: db(), logger: silentLogger, reopenWindowHours: 0 });
    await runCasesShow(service, createOutput(json, stream), key);
    return lines.join('\n');
  };

  beforeAll(async () => {
    slack = await startCaseWorkspace();
    slack.users.set('UBEN', { email: people.analyst2 });
    slack.users.set('UHUGO', { email: people.hr2 });
    slack.users.set('ULIA', { email: people.legal2 });
    slack.users.set('ULEO', { email: people.legal });
    slack.users.set('USAM', { email: 'sam.ortiz@example.com' });
    slack.members.set('CLEGAL001', ['ULEO']);
    await seedExampleDirectory(db());
  });

  afterAll(async () => {
    await slack.close();
  });

  it('alerts HR when the subject is in the security channel', async () => {
    slack.members.set('CSECURITY1', ['UANN', 'UBEN']);
    const { caseId, key } = await openCase(people.analyst2);
    await drain();

    const [security] = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    expect(security!.audience).toBe('security');
    expect(security!.blockedReason).toBe('subject_in_channel');
    expect(security!.rootId).toBeNull();
    expect(postsIn('CSECURITY1').some((message) => JSON.stringify(message).includes(key))).toBe(
      false,
    );

    const hrAlerts = postsIn('CHRTEAM01').filter((message) => (message.text ?? '').includes(key));
    expect(hrAlerts).toHaveLength(1);
    expect(hrAlerts[0]!.threadTs).toBeNull();
    expect(hrAlerts[0]!.text).toContain('to the security channel');
    expect(postsIn('CLEGAL001').some((message) => (message.text ?? '').includes(key))).toBe(false);

    const caseJson = JSON.parse(await show(key, true));
    expect(caseJson.blockedThreads).toEqual([
      {
        audience: 'security',
        platform: 'slack',
        reason: 'subject_in_channel',
        alert: { status: 'sent', alertedAudience: 'hr', error: null },
      },
    ]);
    expect(await show(key)).toContain(
      'not posted to security on slack: the subject is a member of that channel; HR was told',
    );
    slack.members.set('CSECURITY1', ['UANN']);
  });

  it('alerts Legal when the subject is in security and HR', async () => {
    slack.members.set('CSECURITY1', ['UANN', 'UHUGO']);
    slack.members.set('CHRTEAM01', ['UHANA', 'UHUGO']);
    const { key } = await openCase(people.hr2);
    await drain();

    const legalAlerts = postsIn('CLEGAL001').filter((message) =>
      (message.text ?? '').includes(key),
    );
    expect(legalAlerts).toHaveLength(1);
    expect(legalAlerts[0]!.text).toContain('to the security channel');
    expect(postsIn('CHRTEAM01').some((message) => (message.text ?? '').includes(key))).toBe(false);
    expect(postsIn('CSECURITY1').some((message) => JSON.stringify(message).includes(key))).toBe(
      false,
    );
    expect(await show(key)).toContain(
      'not posted to security on slack: the subject is a member of that channel; Legal was told',
    );
    slack.members.set('CSECURITY1', ['UANN']);
    slack.members.set('CHRTEAM01', ['UHANA']);
  });

  it('skips security when it also has the subject', async () => {
    const { caseId, key } = await openCase('sam.ortiz@example.com');
    await drain();
    await actOnCase(
      { db: db(), logger: silentLogger, notifier, now },
      { caseRef: caseId, actorEmail: people.analyst, event: { type: 'ESCALATE', summary: 'USB' } },
    );
    // The subject joins both channels after the security card went out.
    slack.members.set('CSECURITY1', ['UANN', 'USAM']);
    slack.members.set('CHRTEAM01', ['UHANA', 'USAM']);
    await drain();

    const threads = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const blocked = Object.fromEntries(
      threads.map((thread) => [thread.audience, thread.blockedReason]),
    );
    expect(blocked).toEqual({ security: 'subject_in_channel', hr: 'subject_in_channel' });
    const legalAlerts = postsIn('CLEGAL001').filter((message) =>
      (message.text ?? '').includes(key),
    );
    expect(legalAlerts.map((message) => message.text).sort()).toEqual([
      expect.stringContaining('to the hr channel'),
      expect.stringContaining('to the security channel'),
    ]);
    const securityAlerts = postsIn('CSECURITY1').filter(
      (message) => message.threadTs !== null && (message.text ?? '').includes(key),
    );
    expect(securityAlerts).toEqual([]);
    expect(await show(key)).toContain(
      'not posted to HR on slack: the subject is a member of that channel; Legal was told',
    );
    slack.members.set('CSECURITY1', ['UANN']);
    slack.members.set('CHRTEAM01', ['UHANA']);
  });

  it('skips an HR channel Slack does not find', async () => {
    slack.users.set('UCARL', { email: 'carl.contractor@example.com' });
    slack.members.set('CSECURITY1', ['UANN', 'UCARL']);
    slack.members.delete('CHRTEAM01');
    const { caseId, key } = await openCase('carl.contractor@example.com');
    await drain();

    const legalAlerts = postsIn('CLEGAL001').filter((message) =>
      (message.text ?? '').includes(key),
    );
    expect(legalAlerts).toHaveLength(1);
    const [alert] = await db()
      .select()
      .from(outbox)
      .where(and(eq(outbox.caseId, caseId), eq(outbox.kind, 'alert')));
    expect(alert!.status).toBe('sent');
    expect(await show(key)).toContain('Legal was told');
    slack.members.set('CSECURITY1', ['UANN']);
    slack.members.set('CHRTEAM01', ['UHANA']);
  });

  it('ends the alert dead when every channel has the subject', async () => {
    slack.members.set('CSECURITY1', ['UANN', 'ULIA']);
    slack.members.set('CHRTEAM01', ['UHANA', 'ULIA']);
    slack.members.set('CLEGAL001', ['ULEO', 'ULIA']);
    const log = memoryStream();
    const logger = createLogger({ level: 'trace', destination: log.stream });
    const { caseId, key } = await openCase(people.legal2);
    const rounds = await drain(logger);

    expect(rounds).toBeLessThan(5);
    const rows = await db()
      .select()
      .from(outbox)
      .where(eq(outbox.caseId, caseId))
      .orderBy(asc(outbox.id));
    expect(rows.map((row) => [row.kind, row.status])).toEqual([
      ['card', 'dead'],
      ['alert', 'dead'],
    ]);
    expect(rows[1]!.lastError).toContain('no audience could be alerted');
    expect(rows[1]!.lastError).toContain('legal: the subject is a member');
    for (const channel of ['CSECURITY1', 'CHRTEAM01', 'CLEGAL001'])
      expect(postsIn(channel).some((message) => JSON.stringify(message).includes(key))).toBe(false);

    const failures = log.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === 'chat delivery failed for good' && entry.kind === 'alert');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.level).toBe(50);
    expect(failures[0]!.caseKey).toBe(key);
    expect(log.lines.join('\n')).not.toContain(people.legal2);

    expect(await show(key)).toContain(
      'not posted to security on slack: the subject is a member of that channel; nobody could be told',
    );
    slack.members.set('CSECURITY1', ['UANN']);
    slack.members.set('CHRTEAM01', ['UHANA']);
    slack.members.set('CLEGAL001', ['ULEO']);
  });
});
