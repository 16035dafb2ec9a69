import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { channelLocale, loadConfig } from '../../src/config.ts';
import { CasebridgeError } from '../../src/errors.ts';
import { ingestBatch } from '../../src/intake/ingest-batch.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { caseThreads, people as peopleTable } from '../../src/store/schema.ts';
import { makeSignal, people, seedExampleDirectory, silentLogger } from '../support/builders.ts';
import { drainOutbox } from '../support/drain-outbox.ts';
import { type FakeSlackApi, startCaseWorkspace } from '../support/fake-slack-api.ts';
import { describeStores } from '../support/stores.ts';
import { TestClock } from '../support/test-clock.ts';

function configWithRouting(routingYaml: string) {
  const directory = mkdtempSync(path.join(tmpdir(), 'casebridge-locale-'));
  const file = path.join(directory, 'casebridge.yaml');
  writeFileSync(file, `routing:\n${routingYaml}\n`);
  return loadConfig({ CASEBRIDGE_CONFIG: file });
}

describe('routing locale', () => {
  it('keeps the short form valid', () => {
    const config = configWithRouting('  security: { slack: CSECURITY1 }');
    expect(config.file.routing.security?.slack).toBe('CSECURITY1');
    expect(channelLocale(config.file.routing, 'security', 'slack')).toBe('en');
  });

  it('reads the long form per platform', () => {
    const config = configWithRouting(
      '  hr: { slack: { channel: CHRTEAM01, locale: ja }, teams: "19:abc@thread.tacv2" }',
    );
    expect(config.file.routing.hr?.slack).toBe('CHRTEAM01');
    expect(channelLocale(config.file.routing, 'hr', 'slack')).toBe('ja');
    expect(channelLocale(config.file.routing, 'hr', 'teams')).toBe('en');
  });

  it('reads a locale key for the audience', () => {
    const config = configWithRouting('  legal: { slack: CLEGAL001, locale: ja }');
    expect(channelLocale(config.file.routing, 'legal', 'slack')).toBe('ja');
    expect(channelLocale(config.file.routing, 'legal', 'teams')).toBe('ja');
  });

  it('rejects an unknown locale by name', () => {
    let error: unknown;
    try {
      configWithRouting('  hr: { slack: { channel: CHRTEAM01, locale: fr } }');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CasebridgeError);
    expect((error as CasebridgeError).code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toContain('fr is not a supported locale');
  });

  it('still rejects a channel name', () => {
    expect(() => configWithRouting('  hr: { slack: { channel: "#hr", locale: ja } }')).toThrow(
      /not a channel name/,
    );
  });
});

describeStores('localized delivery', (current) => {
  let slack: FakeSlackApi;
  const clock = new TestClock();
  const now = clock.now;
  const db = () => current().store.db;
  const routing = {
    security: { slack: 'CSECURITY1' },
    hr: { slack: 'CHRTEAM01', locales: { slack: 'ja' as const } },
  };
  const notifier = createCaseNotifier(routing, ['slack']);

  beforeAll(async () => {
    slack = await startCaseWorkspace();
    await seedExampleDirectory(db());
    await db()
      .update(peopleTable)
      .set({ locale: 'ja-JP' })
      .where(eq(peopleTable.email, people.manager));
  });

  afterAll(async () => {
    await slack.close();
  });

  const drain = () =>
    drainOutbox({
      db: db(),
      slack,
      clock,
      channelLocale: (audience, platform) =>
        audience === 'hr' && platform === 'slack' ? 'ja' : 'en',
    });

  it('sends the manager notice in the manager locale', async () => {
    const [opened] = await db().transaction((tx) =>
      ingestBatch(tx, [makeSignal()], { reopenWindowHours: 0, now: now(), notifier }),
    );
    const caseId = opened!.caseId!;
    const act = (actorEmail: string, event: Record<string, unknown> & { type: string }) =>
      actOnCase(
        { db: db(), logger: silentLogger, notifier, now },
        { caseRef: caseId, actorEmail, event },
      );
    await act(people.analyst, { type: 'ESCALATE', summary: 'Copied source code to USB' });
    await act(people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });
    await drain();

    const threads = await db().select().from(caseThreads).where(eq(caseThreads.caseId, caseId));
    const root = Object.fromEntries(threads.map((thread) => [thread.audience, thread.rootId]));
    const messages = [...slack.messages.values()];

    const managerCard = messages.find((message) => message.ts === root.manager)!;
    const managerText = JSON.stringify(managerCard);
    expect(managerText).toContain('Dana Lee さんに関する人事部からのお知らせ');
    expect(managerText).toContain('確認しました');
    expect(managerText).not.toContain('A notice from HR');

    const hrReplies = messages
      .filter((message) => message.threadTs === root.hr)
      .map((message) => message.text);
    expect(hrReplies).toEqual([`${people.hr} さんが対応方針を選択しました：対象者の上長に依頼`]);
    expect(JSON.stringify(messages.find((message) => message.ts === root.hr))).toContain(
      '内部リスク案件',
    );

    const securityReplies = messages
      .filter((message) => message.threadTs === root.security)
      .map((message) => message.text);
    expect(securityReplies).toContain(`${people.analyst} escalated this case to HR.`);
  });
});
