import { randomBytes, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { FakeSlackApi } from '../../support/fake-slack-api.ts';
import { channels } from './processes.ts';

export const slackToken = 'xoxb-casebridge-faults';
export const slackSigningSecret = randomBytes(16).toString('hex');
export const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;

/** Staff of the example directory as Slack users of the fake workspace. */
export const staff = {
  analyst: { id: 'U0ANN', email: 'ann.analyst@example.com' },
  hr: { id: 'U0HANA', email: 'hana.hr@example.com' },
  legal: { id: 'U0LEO', email: 'leo.legal@example.com' },
} as const;

/**
 * Starts a FakeSlackApi whose three case channels each contain one staff member, so that the
 * tipping-off guard lets every case message through.
 */
export async function startFakeSlack(): Promise<FakeSlackApi> {
  const fake = await FakeSlackApi.start({ token: slackToken });
  for (const user of Object.values(staff)) fake.users.set(user.id, { email: user.email });
  fake.members.set(channels.security, [staff.analyst.id]);
  fake.members.set(channels.hr, [staff.hr.id]);
  fake.members.set(channels.legal, [staff.legal.id]);
  return fake;
}

/** The environment of a bot process that delivers to `fake` and accepts signed webhooks. */
export function slackBotEnv(fake: FakeSlackApi): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slackToken,
    SLACK_SIGNING_SECRET: slackSigningSecret,
    SLACK_API_URL: fake.url,
    FEED_SECRET_WEBHOOK: webhookSecret,
  };
}

/** A generic-webhook signal about `subject`, with a new external id unless one is given. */
export function webhookSignal(subject: string, id = `fault-${randomUUID()}`) {
  return {
    id,
    subject: { email: subject },
    observedAt: new Date().toISOString(),
    severity: 'high',
    title: 'Upload of source code to a personal cloud drive',
    indicators: ['personal-cloud-upload'],
  };
}

/** Posts a batch of signals to `POST /feeds/webhook`, signed as Standard Webhooks requires. */
export function postSignals(baseUrl: string, batch: unknown[], signal?: AbortSignal) {
  const body = JSON.stringify(batch);
  const id = `msg_${randomUUID()}`;
  const timestamp = new Date();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': new Webhook(webhookSecret).sign(id, timestamp, body),
  };
  return fetch(`${baseUrl}/feeds/webhook`, {
    method: 'POST',
    headers,
    body,
    ...(signal === undefined ? {} : { signal }),
  });
}

/** Sends a case event through a bot's local API, as the CLI does. */
export function postCaseEvent(baseUrl: string, caseKey: string, as: string, event: object) {
  return fetch(`${baseUrl}/api/cases/${encodeURIComponent(caseKey)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ as, event }),
  });
}
