import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { people } from './builders.ts';

/** One request the fake received, with the status it returned. */
export interface RecordedCall {
  method: string;
  /** The parsed body; JSON-valued form fields (`blocks`, `view`, …) are decoded. */
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  at: Date;
  /** The HTTP status the fake returned. */
  status: number;
}

/** A failure that replaces the handling of a method's next calls. */
export type ScriptedFailure =
  | { status: 429; retryAfterSeconds: number }
  | { status: 500 | 502 | 503 | 504 };

export interface FakeSlackUser {
  email: string | null;
  name?: string;
  isBot?: boolean;
}

/** A message as the fake stores it after `chat.postMessage` and `chat.update`. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string | null;
  blocks: unknown[] | null;
}

export interface FakeSlackApiOptions {
  /** The token requests must carry; any `xox…` token is accepted when unset. */
  token?: string;
  now?: () => Date;
}

// Form fields whose values the Web API client sends as JSON text.
const jsonFields = new Set(['blocks', 'attachments', 'view', 'metadata']);

const blockLimit = 50;

/**
 * A local fake of the Slack Web API for tests. It listens on 127.0.0.1 and answers
 * `POST /api/<method>` with form-encoded or JSON bodies, records every call, and can be scripted
 * to fail the next calls of a method with 429 + Retry-After or a 5xx. Point a WebClient at `url`.
 */
export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  /** Slack user id → profile, for `users.info` and `users.lookupByEmail`. */
  readonly users = new Map<string, FakeSlackUser>();
  /** Channel id → member user ids, for `conversations.members`. */
  readonly members = new Map<string, string[]>();
  readonly messages = new Map<string, FakeSlackMessage>();

  private readonly failures = new Map<string, ScriptedFailure[]>();
  private readonly directChannels = new Map<string, string>();
  private sequence = 0;
  private viewSequence = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: FakeSlackApiOptions,
  ) {}

  /** Starts the fake on a free port of 127.0.0.1. */
  static async start(options: FakeSlackApiOptions = {}): Promise<FakeSlackApi> {
    let fake: FakeSlackApi | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const reply = fake!.handle(
          request.method ?? '',
          request.url ?? '',
          request.headers,
          Buffer.concat(chunks),
        );
        response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        response.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlackApi(server, `http://127.0.0.1:${port}/api/`, options);
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  /** Answers the next `count` calls of `method` with `failure`. */
  failNext(method: string, count: number, failure: ScriptedFailure): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) queue.push(failure);
    this.failures.set(method, queue);
  }

  /** The recorded calls of one method, in order. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private handle(
    httpMethod: string,
    path: string,
    headers: IncomingHttpHeaders,
    raw: Buffer,
  ): { status: number; headers?: Record<string, string>; body: unknown } {
    const match = /^\/api\/([\w.]+)$/.exec(path.split('?')[0] ?? '');
    const method = match?.[1] ?? path;
    const body = parseBody(headers['content-type'], raw);
    const reply =
      httpMethod === 'POST' && match !== null
        ? this.answer(method, headers, body)
        : { status: 404, body: { ok: false, error: 'not_found' } };
    this.calls.push({ method, body, headers, at: this.now(), status: reply.status });
    return reply;
  }

  private answer(method: string, headers: IncomingHttpHeaders, body: Record<string, unknown>) {
    const failure = this.failures.get(method)?.shift();
    if (failure?.status === 429) {
      return {
        status: 429,
        headers: { 'retry-after': String(failure.retryAfterSeconds) },
        body: { ok: false, error: 'ratelimited' },
      };
    }
    if (failure !== undefined) {
      return { status: failure.status, body: { ok: false, error: 'internal_error' } };
    }

    const authError = this.checkToken(headers, body);
    if (authError !== null) return { status: 200, body: { ok: false, error: authError } };
    return { status: 200, body: this.call(method, body) };
  }

  private checkToken(headers: IncomingHttpHeaders, body: Record<string, unknown>): string | null {
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof body.token === 'string' ? body.token : undefined);
    if (token === undefined) return 'not_authed';
    if (
      this.options.token !== undefined ? token !== this.options.token : !token.startsWith('xox')
    ) {
      return 'invalid_auth';
    }
    return null;
  }

  private call(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://casebridge-test.slack.com/',
          team: 'Casebridge Test',
          user: 'casebridge',
          team_id: 'T0CASEBRG',
          user_id: 'U0CASEBRG',
          bot_id: 'B0CASEBRG',
        };
      case 'chat.postMessage':
        return this.postMessage(body);
      case 'chat.update':
        return this.updateMessage(body);
      case 'chat.postEphemeral':
        if (typeof body.channel !== 'string' || typeof body.user !== 'string') {
          return { ok: false, error: 'invalid_arguments' };
        }
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open':
        return this.openView(body);
      case 'views.publish':
        if (
          typeof body.user_id !== 'string' ||
          typeof body.view !== 'object' ||
          body.view === null
        ) {
          return { ok: false, error: 'invalid_arguments' };
        }
        return { ok: true, view: { id: 'V0HOME', ...(body.view as object) } };
      case 'users.info':
        return this.userInfo(String(body.user ?? ''));
      case 'users.lookupByEmail':
        return this.lookupByEmail(String(body.email ?? ''));
      case 'conversations.members':
        return this.conversationMembers(body);
      case 'conversations.open':
        return this.openConversation(String(body.users ?? ''));
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private postMessage(body: Record<string, unknown>) {
    const channel = body.channel;
    if (typeof channel !== 'string' || channel === '')
      return { ok: false, error: 'channel_not_found' };
    const invalid = checkMessageContent(body);
    if (invalid !== null) return { ok: false, error: invalid };

    const message: FakeSlackMessage = {
      channel,
      ts: this.nextTs(),
      threadTs: typeof body.thread_ts === 'string' ? body.thread_ts : null,
      text: typeof body.text === 'string' ? body.text : null,
      blocks: Array.isArray(body.blocks) ? body.blocks : null,
    };
    this.messages.set(`${channel}:${message.ts}`, message);
    return { ok: true, channel, ts: message.ts, message: slackMessage(message) };
  }

  private updateMessage(body: Record<string, unknown>) {
    const key = `${String(body.channel)}:${String(body.ts)}`;
    const existing = this.messages.get(key);
    if (existing === undefined) return { ok: false, error: 'message_not_found' };
    const invalid = checkMessageContent(body);
    if (invalid !== null) return { ok: false, error: invalid };

    const updated: FakeSlackMessage = {
      ...existing,
      text: typeof body.text === 'string' ? body.text : existing.text,
      blocks: Array.isArray(body.blocks) ? body.blocks : existing.blocks,
    };
    this.messages.set(key, updated);
    return {
      ok: true,
      channel: updated.channel,
      ts: updated.ts,
      text: updated.text,
      message: slackMessage(updated),
    };
  }

  private openView(body: Record<string, unknown>) {
    if (typeof body.trigger_id !== 'string' || body.trigger_id === '') {
      return { ok: false, error: 'invalid_trigger_id' };
    }
    const view = body.view;
    if (typeof view !== 'object' || view === null) return { ok: false, error: 'invalid_arguments' };

    this.viewSequence++;
    const id = `V${String(this.viewSequence).padStart(8, '0')}`;
    return {
      ok: true,
      view: {
        id,
        team_id: 'T0CASEBRG',
        ...view,
        state: { values: {} },
        hash: `${id}.hash`,
        root_view_id: id,
      },
    };
  }

  private userInfo(userId: string) {
    const user = this.users.get(userId);
    if (user === undefined) return { ok: false, error: 'user_not_found' };
    return { ok: true, user: slackUser(userId, user) };
  }

  private lookupByEmail(email: string) {
    const wanted = email.trim().toLowerCase();
    for (const [id, user] of this.users) {
      if (user.email?.toLowerCase() === wanted) return { ok: true, user: slackUser(id, user) };
    }
    return { ok: false, error: 'users_not_found' };
  }

  /** Pages like Slack: `limit` members per page and an opaque `next_cursor`, empty on the last page. */
  private conversationMembers(body: Record<string, unknown>) {
    const members = this.members.get(String(body.channel ?? ''));
    if (members === undefined) return { ok: false, error: 'channel_not_found' };

    const limit = Number(body.limit ?? 100) || 100;
    const offset = body.cursor ? Number(Buffer.from(String(body.cursor), 'base64').toString()) : 0;
    const page = members.slice(offset, offset + limit);
    const next =
      offset + limit < members.length ? Buffer.from(String(offset + limit)).toString('base64') : '';
    return { ok: true, members: page, response_metadata: { next_cursor: next } };
  }

  private openConversation(users: string) {
    const ids = users
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (ids.length === 0) return { ok: false, error: 'users_list_not_supplied' };
    if (ids.some((id) => !this.users.has(id))) return { ok: false, error: 'user_not_found' };

    const key = [...ids].sort().join(',');
    let channel = this.directChannels.get(key);
    if (channel === undefined) {
      channel = `D${String(this.directChannels.size + 1).padStart(8, '0')}`;
      this.directChannels.set(key, channel);
    }
    return { ok: true, channel: { id: channel } };
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Slack message timestamps: seconds, a dot and six digits, increasing within the fake. */
  private nextTs(): string {
    this.sequence++;
    const seconds = Math.floor(this.now().getTime() / 1000);
    return `${seconds}.${String(this.sequence).padStart(6, '0')}`;
  }
}

/**
 * Starts the fake as the workspace of the example directory's case channels: the analyst, the HR
 * person and the manager are users, the analyst is in CSECURITY1 and the HR person in CHRTEAM01.
 */
export async function startCaseWorkspace(): Promise<FakeSlackApi> {
  const slack = await FakeSlackApi.start();
  slack.users.set('UANN', { email: people.analyst });
  slack.users.set('UHANA', { email: people.hr });
  slack.users.set('UMARIA', { email: people.manager });
  slack.members.set('CSECURITY1', ['UANN']);
  slack.members.set('CHRTEAM01', ['UHANA']);
  return slack;
}

function parseBody(contentType: string | undefined, raw: Buffer): Record<string, unknown> {
  const text = raw.toString('utf8');
  if (text === '') return {};

  if (contentType?.startsWith('application/json')) {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
    } catch {
      return { _unparsed: text };
    }
  }

  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    body[key] = jsonFields.has(key) ? parseJsonField(value) : value;
  }
  return body;
}

function parseJsonField(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Checks what Slack itself rejects and case cards could trip: no content, too many or too long blocks. */
function checkMessageContent(body: Record<string, unknown>): string | null {
  const blocks = body.blocks;
  if (blocks === undefined)
    return typeof body.text === 'string' && body.text !== '' ? null : 'no_text';
  if (!Array.isArray(blocks) || blocks.length === 0 || blocks.length > blockLimit)
    return 'invalid_blocks';

  for (const block of blocks as Array<Record<string, unknown>>) {
    const text = (block.text as { text?: unknown } | undefined)?.text;
    if (block.type === 'header' && typeof text === 'string' && text.length > 150)
      return 'invalid_blocks';
    if (block.type === 'section' && typeof text === 'string' && text.length > 3000)
      return 'invalid_blocks';
    if (block.type === 'actions' && Array.isArray(block.elements) && block.elements.length > 25) {
      return 'invalid_blocks';
    }
  }
  return null;
}

function slackMessage(message: FakeSlackMessage) {
  return {
    type: 'message',
    user: 'U0CASEBRG',
    bot_id: 'B0CASEBRG',
    ts: message.ts,
    ...(message.threadTs === null ? {} : { thread_ts: message.threadTs }),
    text: message.text ?? '',
    ...(message.blocks === null ? {} : { blocks: message.blocks }),
  };
}

function slackUser(id: string, user: FakeSlackUser) {
  return {
    id,
    name: user.name ?? id.toLowerCase(),
    is_bot: user.isBot ?? false,
    profile: {
      real_name: user.name ?? '',
      ...(user.email === null ? {} : { email: user.email }),
    },
  };
}
