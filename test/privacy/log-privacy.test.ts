import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actOnCase } from '../../src/cases/act-on-case.ts';
import { localCaseService } from '../../src/cases/case-service.ts';
import { loadPseudonymKey } from '../../src/cases/pseudonym.ts';
import { loadCaseView } from '../../src/chat/load-case-view.ts';
import { createSlackClient, SlackChatPort } from '../../src/chat/slack/slack-port.ts';
import { ingestFeed } from '../../src/intake/ingest-feed.ts';
import { createLogger } from '../../src/log.ts';
import { createCaseNotifier } from '../../src/outbox/create-case-notifier.ts';
import { createOutboxWorker } from '../../src/outbox/outbox-worker.ts';
import { expireReveals } from '../../src/privacy/expire-reveals.ts';
import { cases, outbox } from '../../src/store/schema.ts';
import { people, seedExampleDirectory } from '../support/builders.ts';
import { type FakeSlackApi, startCaseWorkspace } from '../support/fake-slack-api.ts';
import { memoryStream } from '../support/memory-stream.ts';
import { describeStores } from '../support/stores.ts';

const routing = { security: { slack: 'CSECURITY1' }, hr: { slack: 'CHRTEAM01' } };
const subjectName = 'Dana Lee';

const webhookRecords = [
  {
    id: 'log-test-1',
    subject: { email: people.subject, ids: ['dlee'], name: subjectName },
    observedAt: '2026-12-03T09:12:44Z',
    severity: 'high',
    riskScore: 80,
    title: `Bulk download by ${subjectName}`,
    indicators: ['Bulk download'],
    files: [],
    destination: { category: 'Cloud', name: 'Personal Dropbox' },
  },
  // Rejected: the severity is not one the format knows.
  {
    id: 'log-test-2',
    subject: { email: people.subject, name: subjectName },
    observedAt: '2026-12-03T09:12:44Z',
    severity: 'apocalyptic',
    title: 'Invalid',
  },
];

describeStores('logs without identity', (current) => {
  let slack: FakeSlackApi;
  const db = () => current().store.db;

  beforeAll(async () => {
    slack = await startCaseWorkspace();
    await seedExampleDirectory(db());
  });

  afterAll(async () => {
    await slack.close();
  });

  it('never logs the subject name or e-mail', async () => {
    const { stream, lines } = memoryStream();
    const logger = createLogger({ level: 'trace', destination: stream });
    const notifier = createCaseNotifier(routing, ['slack']);
    const summary = await ingestFeed(
      { db: db(), logger, reopenWindowHours: 0, notifier },
      { feed: 'webhook', text: JSON.stringify(webhookRecords), atomic: false },
    );
    expect(summary.created).toBe(1);
    expect(summary.rejected).toHaveLength(1);
    const [row] = await db().select({ id: cases.id }).from(cases);
    const caseId = row!.id;

    const act = (actorEmail: string, event: Record<string, unknown> & { type: string }) =>
      actOnCase({ db: db(), logger, notifier }, { caseRef: caseId, actorEmail, event });
    await act(people.analyst, { type: 'NOTE', text: `Spoke about ${subjectName}` });
    await act(people.analyst, { type: 'ESCALATE', summary: `${subjectName} downloaded files` });
    await act(people.hr, { type: 'CHOOSE_RESPONSE', response: 'involve_manager' });
    await act(people.analyst, { type: 'DISMISS', outcome: 'benign', reason: 'x' }).catch(
      () => 'rejected as expected',
    );

    const service = localCaseService({ db: db(), logger, reopenWindowHours: 0, revealHours: 1 });
    await service.reveal(caseId, {
      action: 'request',
      as: people.analyst,
      reason: `Confirm ${subjectName}`,
    });
    await service.reveal(caseId, { action: 'approve', as: people.hr });
    await service.show(caseId, { as: people.hr, reason: 'Check' });

    const port = new SlackChatPort(
      createSlackClient({ token: 'xoxb-test', slackApiUrl: slack.url, logger }),
    );
    const worker = createOutboxWorker({
      db: db(),
      logger,
      ports: { slack: port },
      renderView: async (id, audience, locale) =>
        loadCaseView(db(), await loadPseudonymKey(db()), id, audience, locale, {
          includeReveal: true,
        }),
      channelIntervalMs: 0,
      memberCacheMs: 0,
    });
    for (let round = 0; round < 50; round++) {
      await worker.runOnce();
      const pending = await db().select().from(outbox).where(eq(outbox.status, 'pending'));
      if (pending.length === 0) break;
    }
    await expireReveals({ db: db(), logger }, new Date(Date.now() + 2 * 3_600_000));

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(text).toContain('case transition');
    expect(text).toContain('identity reveal expired');
    expect(text).not.toContain(subjectName);
    expect(text).not.toContain(people.subject);
    expect(text.toLowerCase()).not.toContain('dana.lee');
  });
});

describe('log redaction', () => {
  it('redacts subject fields', () => {
    const { stream, lines } = memoryStream();
    const logger = createLogger({ level: 'info', destination: stream });
    logger.info(
      {
        subjectKey: `email:${people.subject}`,
        subjectName,
        case: { managerEmail: people.manager, subjectEmail: people.subject },
      },
      'careless line',
    );
    const text = lines.join('\n');
    expect(text).toContain('careless line');
    expect(text).not.toContain(people.subject);
    expect(text).not.toContain(subjectName);
    expect(text).not.toContain(people.manager);
  });
});
