import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { people } from '../../support/builders.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests build and read untyped Slack JSON.
export type Json = Record<string, any>;

const fixturesFolder = new URL('../fixtures/slack/', import.meta.url);
const adapterFixtures = new URL('./fixtures/', import.meta.url);

export const corpus = {
  blockActions: JSON.parse(
    readFileSync(new URL('block-actions-button-ephemeral.json', fixturesFolder), 'utf8'),
  ) as Json,
  blockActionsBody: readFileSync(
    new URL('block-actions-form-encoded-body.txt', fixturesFolder),
    'utf8',
  ).trim(),
  viewSubmission: JSON.parse(
    readFileSync(new URL('view-submission-modal.json', fixturesFolder), 'utf8'),
  ) as Json,
  slashCommandBody: readFileSync(
    new URL('slash-command-form-body.txt', adapterFixtures),
    'utf8',
  ).trim(),
  signingVector: JSON.parse(
    readFileSync(new URL('signing-v0-test-vector.json', adapterFixtures), 'utf8'),
  ) as Json,
  eventRetry: JSON.parse(
    readFileSync(new URL('event-app-mention-retry-delivery.json', adapterFixtures), 'utf8'),
  ) as Json,
};

export const botToken = 'xoxb-casebridge-test';
export const signingSecret = randomBytes(16).toString('hex');

/** Slack users of the fake workspace and the directory people they are. */
export const slackUsers = {
  analyst: { id: 'U0ANN', email: people.analyst },
  hr: { id: 'U0HANA', email: people.hr },
  legal: { id: 'U0LEO', email: people.legal },
  manager: { id: 'U0MARIA', email: people.manager },
  subject: { id: 'U0DANA', email: people.subject },
  stranger: { id: 'U0PAT', email: 'pat.unknown@example.com' },
} as const;

/** Subjects of the example directory whose manager is Maria Gomez. */
export const managedSubjects = [people.subject, 'sam.ortiz@example.com'] as const;

/** Computes Slack's v0 signature of a raw body. */
export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Encodes an interactivity payload the way Slack posts it: one `payload` form field. */
export function interactivityBody(payload: Json): string {
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export interface SignedRequest {
  body: string;
  contentType: string;
  timestamp?: number;
  secret?: string;
  headers?: Record<string, string>;
}

/** Sends a signed request to `POST /slack/events`. */
export async function postToSlackRoute(url: string, request: SignedRequest): Promise<Response> {
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(`${url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': request.contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature(request.secret ?? signingSecret, timestamp, request.body),
      ...request.headers,
    },
    body: request.body,
  });
}

const formType = 'application/x-www-form-urlencoded';

/** Sends a button click or form submission as Slack does. */
export function postInteraction(
  url: string,
  payload: Json,
  options: Omit<SignedRequest, 'body' | 'contentType'> = {},
): Promise<Response> {
  return postToSlackRoute(url, {
    ...options,
    body: interactivityBody(payload),
    contentType: formType,
  });
}

let actionCounter = 0;

/** Returns a new `action_ts`, as Slack gives each click. */
export function nextActionTs(): string {
  actionCounter++;
  return `${Math.floor(Date.now() / 1000)}.${String(actionCounter).padStart(6, '0')}`;
}

/**
 * Builds the `block_actions` payload of a click on a rendered card's button, in the corpus shape:
 * the corpus payload with our user, channel, message and button.
 */
export function clickPayload(options: {
  userId: string;
  button: Json;
  channel?: string;
  messageTs?: string;
  actionTs?: string;
}): Json {
  const payload = structuredClone(corpus.blockActions);
  const channel = options.channel ?? 'C0SECURITY';
  payload.user = { ...payload.user, id: options.userId, username: options.userId.toLowerCase() };
  payload.channel = { id: channel, name: 'casebridge' };
  payload.container = {
    type: 'message',
    message_ts: options.messageTs ?? '1700000000.000100',
    channel_id: channel,
    is_ephemeral: false,
  };
  payload.trigger_id = `${Date.now()}.${++actionCounter}.trigger`;
  payload.actions = [
    {
      ...payload.actions[0],
      action_id: options.button.action_id,
      block_id: 'case-actions:1:0',
      text: options.button.text,
      value: options.button.value,
      action_ts: options.actionTs ?? nextActionTs(),
    },
  ];
  return payload;
}

/** Builds the `view_submission` payload of a modal, in the corpus shape, with answers by block id. */
export function submissionPayload(options: {
  userId: string;
  modal: Json;
  answers: Record<string, string | null>;
  viewId?: string;
}): Json {
  const payload = structuredClone(corpus.viewSubmission);
  const values: Json = {};
  for (const block of options.modal.blocks.filter(
    (candidate: Json) => candidate.type === 'input',
  )) {
    const answer = options.answers[block.block_id] ?? null;
    values[block.block_id] = {
      [block.element.action_id]:
        block.element.type === 'static_select'
          ? {
              type: 'static_select',
              selected_option:
                block.element.options.find((option: Json) => option.value === answer) ?? null,
            }
          : { type: 'plain_text_input', value: answer },
    };
  }
  payload.user = { ...payload.user, id: options.userId };
  payload.view = {
    ...payload.view,
    id: options.viewId ?? 'V0FORM',
    blocks: options.modal.blocks,
    callback_id: options.modal.callback_id,
    private_metadata: options.modal.private_metadata,
    title: options.modal.title,
    state: { values },
  };
  return payload;
}

/** Builds a `/case` slash command body from the corpus one. */
export function slashCommandBody(options: { userId: string; text: string; responseUrl: string }) {
  const fields = new URLSearchParams(corpus.slashCommandBody);
  fields.set('command', '/case');
  fields.set('text', options.text);
  fields.set('user_id', options.userId);
  fields.set('response_url', options.responseUrl);
  fields.set('trigger_id', `${Date.now()}.${++actionCounter}.command`);
  return fields.toString();
}

export function postCommand(
  url: string,
  options: { userId: string; text: string; responseUrl: string },
): Promise<Response> {
  return postToSlackRoute(url, { body: slashCommandBody(options), contentType: formType });
}
