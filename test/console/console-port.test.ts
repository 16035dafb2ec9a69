import { eq } from 'drizzle-orm';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsoleBus, type ConsoleChange } from '../../src/chat/console/console-bus.ts';
import { consoleChannels } from '../../src/chat/console/console-channels.ts';
import { ConsoleChatPort, ConsoleRecipientError } from '../../src/chat/console/console-port.ts';
import type { CaseView } from '../../src/chat/view-model.ts';
import { isCasebridgeError } from '../../src/errors.ts';
import { assertConsoleExposure, assertConsoleRequest } from '../../src/http/console-access.ts';
import { classifyDeliveryError } from '../../src/outbox/classify-delivery-error.ts';
import { consoleMessages } from '../../src/store/schema.ts';
import { seedExampleDirectory } from '../support/builders.ts';
import { describeStores } from '../support/stores.ts';

const routing = {
  security: { console: 'security' },
  hr: { console: 'people-team' },
  legal: { console: 'people-team' },
};

function view(caseId: string, headline: string): CaseView {
  return {
    audience: 'security',
    caseId,
    caseKey: 'CB-0001',
    version: 1,
    state: 'triage',
    headline,
    summary: headline,
    stateLabel: 'Triage',
    priority: null,
    subjectLabel: 'P-1234',
    banners: [],
    fields: [],
    evidence: null,
    actions: [],
    footer: '',
  };
}

describeStores('console chat port', (current) => {
  let port: ConsoleChatPort;
  const changes: ConsoleChange[] = [];

  beforeAll(async () => {
    const db = current().store.db;
    await seedExampleDirectory(db);
    const bus = new ConsoleBus();
    bus.subscribe((change) => changes.push(change));
    port = new ConsoleChatPort({ db, bus, channels: consoleChannels(routing) });
  });

  it('posts, updates and replies in a thread', async () => {
    const caseId = '00000000-0000-4000-8000-000000000001';
    const card = await port.postCard(
      { platform: 'console', channel: 'security' },
      view(caseId, 'first'),
    );
    await port.updateCard(card, view(caseId, 'second'));
    const reply = await port.reply(
      { platform: 'console', channel: 'security', rootId: card.messageId },
      'Escalated to HR',
    );

    const rows = await current()
      .store.db.select()
      .from(consoleMessages)
      .where(eq(consoleMessages.channel, 'security'));
    const root = rows.find((row) => String(row.id) === card.messageId);
    expect((root?.content as { view?: CaseView } | undefined)?.view?.headline).toBe('second');
    expect(root?.caseId).toBe(caseId);
    const stored = rows.find((row) => String(row.id) === reply.messageId);
    expect(stored?.threadRootId).toBe(Number(card.messageId));
    expect(changes.filter((change) => change.channel === 'security')).toHaveLength(3);
  });

  it('sends direct messages to directory people only', async () => {
    const sent = await port.directMessage('Maria.Gomez@example.com', 'A notice');
    expect(sent.channel).toBe('dm:maria.gomez@example.com');

    const failure = await port.directMessage('nobody@example.com', 'x').catch((error) => error);
    expect(failure).toBeInstanceOf(ConsoleRecipientError);
    expect(classifyDeliveryError(failure).kind).toBe('permanent');
  });

  it('lists role holders as channel members', async () => {
    const shared = await port.channelMembers({ platform: 'console', channel: 'people-team' });
    expect(shared.emails.sort()).toEqual([
      'hana.hr@example.com',
      'hugo.hr@example.com',
      'leo.legal@example.com',
      'lia.legal@example.com',
    ]);
    expect(shared.unidentified).toBe(0);
    const security = await port.channelMembers({ platform: 'console', channel: 'security' });
    expect(security.emails).not.toContain('dana.lee@example.com');
  });
});

describe('console exposure', () => {
  it('refuses a public HOST without CONSOLE_TOKEN', () => {
    expect(() =>
      assertConsoleExposure({ HOST: '127.0.0.1', CONSOLE_TOKEN: undefined }),
    ).not.toThrow();
    expect(() => assertConsoleExposure({ HOST: '0.0.0.0', CONSOLE_TOKEN: 'secret' })).not.toThrow();
    const error = (() => {
      try {
        assertConsoleExposure({ HOST: '0.0.0.0', CONSOLE_TOKEN: undefined });
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(isCasebridgeError(error)).toBe(true);
    expect((error as { code?: string }).code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toContain('CONSOLE_TOKEN');
  });

  it('accepts other addresses only with the token', async () => {
    const app = Fastify();
    app.get('/console', async (request) => {
      assertConsoleRequest(request, 'secret-token');
      return 'ok';
    });
    const fromElsewhere = { remoteAddress: '192.0.2.10' };
    const denied = await app.inject({
      url: '/console',
      remoteAddress: fromElsewhere.remoteAddress,
    });
    expect(denied.statusCode).not.toBe(200);
    const allowed = await app.inject({
      url: '/console',
      remoteAddress: fromElsewhere.remoteAddress,
      headers: { authorization: 'Bearer secret-token' },
    });
    expect(allowed.body).toBe('ok');
    const local = await app.inject({ url: '/console', remoteAddress: '127.0.0.1' });
    expect(local.body).toBe('ok');
    await app.close();
  });
});
