import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slackText } from '../../../src/chat/slack/messages.ts';
import { WATCHLIST_STREAM } from '../../../src/people/watchlists.ts';
import { auditEvents, people, watchlistMemberships } from '../../../src/store/schema.ts';
import { describeStores } from '../../support/stores.ts';
import {
  type Json,
  runCommand,
  type SlackHarness,
  slackUsers,
  startSlackHarness,
} from './slack-harness.ts';

describeStores('slack /case watchlist', (current) => {
  let harness: SlackHarness;
  const db = () => current().store.db;

  beforeAll(async () => {
    harness = await startSlackHarness(current().store);
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function run(userId: string, text: string): Promise<Json> {
    return (await runCommand(harness, userId, text)).reply;
  }

  it('adds a member with an audited reason', async () => {
    const answer = await run(
      slackUsers.analyst.id,
      'watchlist add Contractors <mailto:sam.ortiz@example.com|sam.ortiz@example.com> Access to the build servers',
    );
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe(
      slackText('en', 'command.watchlist.added', {
        email: 'sam.ortiz@example.com',
        list: 'contractors',
      }),
    );

    const [sam] = await db().select().from(people).where(eq(people.email, 'sam.ortiz@example.com'));
    const [member] = await db()
      .select()
      .from(watchlistMemberships)
      .where(eq(watchlistMemberships.personId, sam!.id));
    expect(member?.list).toBe('contractors');
    expect(member?.cause).toBe('person');
    expect(member?.addedBy).toBe(slackUsers.analyst.email);
    const [audit] = await db()
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.stream, WATCHLIST_STREAM), eq(auditEvents.type, 'WATCHLIST_STARTED')),
      );
    expect(audit?.actor).toBe(slackUsers.analyst.email);
    expect(audit?.reason).toBe('Access to the build servers');
  });

  it('lists and shows the lists', async () => {
    const lists = String((await run(slackUsers.analyst.id, 'watchlist list')).text);
    expect(lists).toContain(
      slackText('en', 'command.watchlist.customLine', { list: 'contractors', count: 1 }),
    );
    expect(lists).toContain(
      slackText('en', 'command.watchlist.lifecycleLine', { list: 'departing', count: 0 }),
    );

    const members = String((await run(slackUsers.analyst.id, 'watchlist show contractors')).text);
    expect(members.split('\n')[1]).toMatch(
      /^sam\.ortiz@example\.com · Sam Ortiz · from \d{4}-\d\d-\d\d · added by ann\.analyst@example\.com: Access to the build servers$/,
    );
  });

  it('rejects a second add and a lifecycle edit', async () => {
    const again = await run(
      slackUsers.analyst.id,
      'watchlist add contractors sam.ortiz@example.com Again',
    );
    expect(again.text).toBe(
      slackText('en', 'command.watchlist.alreadyMember', {
        email: 'sam.ortiz@example.com',
        list: 'contractors',
      }),
    );
    const lifecycle = await run(
      slackUsers.analyst.id,
      'watchlist remove departing sam.ortiz@example.com Not leaving',
    );
    expect(lifecycle.text).toBe(
      slackText('en', 'command.watchlist.lifecycle', { list: 'departing' }),
    );
    const unknown = await run(
      slackUsers.analyst.id,
      'watchlist add contractors pat.unknown@example.com Visitor',
    );
    expect(unknown.text).toBe(
      slackText('en', 'command.watchlist.personNotFound', { email: 'pat.unknown@example.com' }),
    );
  });

  it('refuses people outside security', async () => {
    for (const user of [slackUsers.hr, slackUsers.manager]) {
      const answer = await run(user.id, 'watchlist list');
      expect(answer.response_type).toBe('ephemeral');
      expect(answer.text).toBe(slackText('en', 'command.watchlist.securityOnly'));
    }
    const added = await run(slackUsers.hr.id, 'watchlist add contractors dana.lee@example.com Hi');
    expect(added.text).toBe(slackText('en', 'command.watchlist.securityOnly'));
    const members = await db().select().from(watchlistMemberships);
    expect(members).toHaveLength(1);
  });

  it('shows the usage without a reason', async () => {
    const answer = await run(
      slackUsers.analyst.id,
      'watchlist add contractors dana.lee@example.com',
    );
    expect(answer.text).toBe(slackText('en', 'command.watchlist.usage'));
  });

  it('answers in Japanese and removes the member', async () => {
    await db()
      .update(people)
      .set({ locale: 'ja' })
      .where(eq(people.email, slackUsers.analyst.email));
    const removed = await run(
      slackUsers.analyst.id,
      'watchlist remove contractors sam.ortiz@example.com 契約終了のため',
    );
    expect(removed.text).toBe(
      'sam.ortiz@example.com を `contractors` から削除しました。この変更は監査証跡に記録されています。',
    );
    const empty = await run(slackUsers.analyst.id, 'watchlist show contractors');
    expect(empty.text).toBe(
      '登録者のいるウォッチリスト `contractors` はありません。`/case watchlist list` で一覧をご確認ください。',
    );
    const [ended] = await db()
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.stream, WATCHLIST_STREAM), eq(auditEvents.type, 'WATCHLIST_ENDED')),
      );
    expect(ended?.reason).toBe('契約終了のため');
  });
});
