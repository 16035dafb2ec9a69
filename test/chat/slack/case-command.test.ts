import { afterAll, beforeAll, expect, it } from 'vitest';
import { showCase } from '../../../src/cases/show-case.ts';
import { loadCaseView } from '../../../src/chat/load-case-view.ts';
import { renderRefusal } from '../../../src/chat/refusal.ts';
import { renderCaseMessage } from '../../../src/chat/slack/blocks.ts';
import { slackText } from '../../../src/chat/slack/messages.ts';
import { people } from '../../support/builders.ts';
import { describeStores } from '../../support/stores.ts';
import {
  decide,
  type Json,
  managedSubjects,
  openCase,
  runCommand,
  type SlackHarness,
  slackUsers,
  startSlackHarness,
  toManagerNotice,
} from './slack-harness.ts';

describeStores('slack /case command', (current) => {
  let harness: SlackHarness;
  const store = () => current().store;

  beforeAll(async () => {
    harness = await startSlackHarness(store());
  });

  afterAll(async () => {
    await harness?.close();
  });

  /** Runs `/case <text>` as a Slack user and returns what the command posted to its response_url. */
  async function run(userId: string, text: string): Promise<Json> {
    const { acknowledgement, reply } = await runCommand(harness, userId, text);
    expect(acknowledgement).toBe('');
    return reply;
  }

  it('answers help', async () => {
    const answer = await run(slackUsers.stranger.id, 'help');
    const empty = await run(slackUsers.stranger.id, '');

    expect(answer).toEqual({ response_type: 'ephemeral', text: slackText('en', 'command.help') });
    expect(empty).toEqual(answer);
  });

  it('names an unknown subcommand', async () => {
    const answer = await run(slackUsers.analyst.id, 'delete CB-0001');

    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toBe(
      `${slackText('en', 'command.unknown', { name: 'delete' })}\n\n${slackText('en', 'command.help')}`,
    );
  });

  it('shows a case to security', async () => {
    const { key } = await openCase(store(), 'show.subject@example.com');

    const answer = await run(slackUsers.analyst.id, `show ${key}`);

    const view = await loadCaseView(store().db, harness.pseudonymKey, key, 'security', 'en');
    expect(answer).toEqual({ response_type: 'ephemeral', ...renderCaseMessage(view) });
    expect(JSON.stringify(answer)).not.toContain('show.subject@example.com');
  });

  it('shows HR its own view', async () => {
    const { key } = await openCase(store(), 'show.subject@example.com');
    await decide(store(), key, people.analyst, { type: 'ESCALATE', summary: 'Needs HR.' });

    const answer = await run(slackUsers.hr.id, `show ${key.toLowerCase()}`);

    const view = await loadCaseView(store().db, harness.pseudonymKey, key, 'hr', 'en');
    expect(answer).toEqual({ response_type: 'ephemeral', ...renderCaseMessage(view) });
  });

  it('keeps a triage case from HR', async () => {
    const { key } = await openCase(store(), 'show.subject@example.com');

    const answer = await run(slackUsers.hr.id, `show ${key}`);

    expect(answer.text).toBe(slackText('en', 'command.notShared', { key, state: 'Triage' }));
    expect(answer.blocks).toBeUndefined();
  });

  it('shows nothing without a role', async () => {
    const { key } = await openCase(store(), 'show.subject@example.com');

    const answer = await run(slackUsers.manager.id, `show ${key}`);

    expect(answer).toEqual({ response_type: 'ephemeral', text: slackText('en', 'command.noRole') });
  });

  it('reports an unknown case', async () => {
    const answer = await run(slackUsers.analyst.id, 'show CB-9999');
    const usage = await run(slackUsers.analyst.id, 'show');

    expect(answer.text).toBe(renderRefusal({ kind: 'caseNotFound', caseKey: 'CB-9999' }, 'en'));
    expect(usage.text).toBe(slackText('en', 'command.usage.show'));
  });

  it('tells a user outside the directory', async () => {
    const answer = await run(slackUsers.stranger.id, 'mine');

    expect(answer.text).toBe(
      renderRefusal(
        { kind: 'unknownEmail', platform: 'slack', email: slackUsers.stranger.email },
        'en',
      ),
    );
  });

  it('lists the cases waiting for security', async () => {
    const { key } = await openCase(store(), 'mine.subject@example.com');

    const answer = await run(slackUsers.analyst.id, 'mine');

    const texts = (answer.blocks as Json[]).map((block) => block.text?.text ?? '').join('\n');
    expect(answer.response_type).toBe('ephemeral');
    expect(texts).toContain(`*${key}* · Triage ·`);
    expect(JSON.stringify(answer)).not.toContain('mine.subject@example.com');
  });

  it('lists the notices waiting for a manager', async () => {
    const { key } = await openCase(store(), managedSubjects[0]);
    await toManagerNotice(store(), key);

    const answer = await run(slackUsers.manager.id, 'mine');

    const texts = (answer.blocks as Json[]).map((block) => block.text?.text ?? '');
    expect(texts).toContain(`*${key}* · A notice from HR about Dana Lee`);
    expect(texts.join('\n')).not.toContain('Triage');
  });

  it('leaves the subject out of their own list', async () => {
    const { key } = await openCase(store(), people.analyst2);

    const answer = await run(slackUsers.analyst.id, 'mine');
    const own = await openCase(store(), people.analyst);
    const subjectAnswer = await run(slackUsers.analyst.id, `show ${own.key}`);

    expect(JSON.stringify(answer)).toContain(key);
    expect(subjectAnswer.text).toBe(
      renderRefusal({ kind: 'caseNotFound', caseKey: own.key }, 'en'),
    );
    const mine = await run(slackUsers.analyst.id, 'mine');
    expect(JSON.stringify(mine)).not.toContain(`*${own.key}*`);
  });

  it('adds a note', async () => {
    const { key } = await openCase(store(), 'note.subject@example.com');

    const answer = await run(slackUsers.analyst.id, `note ${key} Called the manager.\nNo answer.`);

    expect(answer).toEqual({
      response_type: 'ephemeral',
      text: slackText('en', 'command.noteAdded', { key }),
    });
    const detail = await showCase(store().db, key);
    expect(detail.events.at(-1)).toMatchObject({
      type: 'NOTE',
      outcome: 'accepted',
      actor: people.analyst,
      reason: 'Called the manager.\nNo answer.',
    });
    expect(detail.state).toBe('triage');
  });

  it('refuses a note without a role', async () => {
    const { key } = await openCase(store(), 'note.subject@example.com');

    const answer = await run(slackUsers.manager.id, `note ${key} I heard something.`);
    const usage = await run(slackUsers.analyst.id, `note ${key}`);

    expect(answer.text).toBe(
      renderRefusal({ kind: 'roleRequired', roles: ['security', 'hr', 'legal'] }, 'en'),
    );
    const rejected = (await showCase(store().db, key)).events.filter(
      (event) => event.outcome === 'rejected',
    );
    expect(rejected.map((event) => [event.type, event.actor])).toEqual([['NOTE', people.manager]]);
    expect(usage.text).toBe(slackText('en', 'command.usage.note'));
  });
});
