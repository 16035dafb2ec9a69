import { afterAll, beforeAll, expect, it } from 'vitest';
import { advancePseudonymGeneration, pseudonymFor } from '../../../src/cases/pseudonym.ts';
import { slackText } from '../../../src/chat/slack/messages.ts';
import { parseFileRules } from '../../../src/files/file-rules.ts';
import { ingestFileEvents } from '../../../src/files/ingest-file-events.ts';
import { silentLogger } from '../../support/builders.ts';
import { makeFileEventRecord } from '../../support/file-events.ts';
import { describeStores } from '../../support/stores.ts';
import {
  type Json,
  runCommand,
  type SlackHarness,
  slackUsers,
  startSlackHarness,
} from './slack-harness.ts';

const sha256 = 'ab'.repeat(32);

describeStores('slack /case files where', (current) => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness(current().store);
    await ingestFileEvents(
      {
        db: current().store.db,
        logger: silentLogger,
        rules: parseFileRules('', null),
        reopenWindowHours: 72,
      },
      [
        makeFileEventRecord({
          id: 'w-1',
          time: '2026-02-01T08:00:00Z',
          email: 'dana.lee@example.com',
          sha256,
          device: 'LAPTOP-7',
        }),
        makeFileEventRecord({
          id: 'w-2',
          time: '2026-02-03T08:00:00Z',
          email: 'sam.ortiz@example.com',
          sha256,
          destinationName: 'USB drive',
        }),
      ],
    );
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function run(userId: string, text: string): Promise<Json> {
    return (await runCommand(harness, userId, text)).reply;
  }

  it('lists sightings newest first with pseudonyms', async () => {
    const answer = await run(slackUsers.analyst.id, `files where ${sha256.toUpperCase()}`);
    expect(answer.response_type).toBe('ephemeral');
    const text = String(answer.text);
    const lines = text.split('\n');
    expect(lines[0]).toContain('Sightings of');
    expect(lines[1]).toContain(
      pseudonymFor(harness.pseudonymKey, await subjectKey('sam.ortiz@example.com')),
    );
    expect(lines[1]).toContain('USB drive');
    expect(lines[2]).toContain('LAPTOP-7');
    expect(text).not.toContain('example.com');
  });

  it('lists the current pseudonym generation', async () => {
    const sam = await subjectKey('sam.ortiz@example.com');
    await current().store.db.transaction((tx) => advancePseudonymGeneration(tx, sam, new Date()));

    const answer = await run(slackUsers.analyst.id, `files where ${sha256}`);
    const text = String(answer.text);
    expect(text).toContain(pseudonymFor(harness.pseudonymKey, sam, 2));
    expect(text).not.toContain(pseudonymFor(harness.pseudonymKey, sam));
  });

  it('refuses people outside security', async () => {
    const answer = await run(slackUsers.hr.id, `files where ${sha256}`);
    expect(answer.text).toBe(slackText('en', 'command.securityOnly'));
  });

  it('explains an invalid hash', async () => {
    const answer = await run(slackUsers.analyst.id, 'files where 1234');
    expect(answer.text).toBe(slackText('en', 'command.usage.filesWhere'));
  });

  async function subjectKey(email: string): Promise<string> {
    const { people } = await import('../../../src/store/schema.ts');
    const { eq } = await import('drizzle-orm');
    const [person] = await current().store.db.select().from(people).where(eq(people.email, email));
    return `person:${person!.id}`;
  }
});
