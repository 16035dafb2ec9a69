import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received, with the status it returned. */
export interface ConnectorCall {
  method: string;
  /** The path with every segment decoded, without the query string. */
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
  headers: IncomingHttpHeaders;
  status: number;
}

/** A failure that replaces the handling of the next matching requests. */
export type ConnectorFailure =
  | { status: 429; retryAfterSeconds: number }
  | { status: 403 | 404 | 412 | 500 | 502 | 503 | 504; code?: string; message?: string };

/** A Teams user as the connector returns it from the members endpoints. */
export interface FakeTeamsMember {
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
  userPrincipalName?: string;
}

/** An activity the fake stores after a create or an update. */
export interface FakeActivity {
  conversationId: string;
  id: string;
  activity: Record<string, unknown>;
}

type Route = 'createConversation' | 'createActivity' | 'updateActivity' | 'getMember' | 'members';

/**
 * A local fake of the Bot Framework connector (`<serviceUrl>/v3/...`) for tests. It listens on
 * 127.0.0.1, records every call, stores posted activities, serves the member endpoints from
 * `members`, and can be scripted to fail the next calls of a route with 429 + Retry-After or an
 * error status. Conversation ids may arrive raw or percent-encoded, as the Teams SDK does not
 * encode them.
 */
export class FakeBotConnector {
  readonly calls: ConnectorCall[] = [];
  /** Conversation id → members; a channel's reply chains share the channel's list. */
  readonly members = new Map<string, FakeTeamsMember[]>();
  /** Activities by `activityKey(conversationId, activityId)`. */
  readonly activities = new Map<string, FakeActivity>();
  /** Member ids (Entra object id, UPN or `29:` id) whose 1:1 conversation fails with 403. */
  readonly notInstalledFor = new Set<string>();

  private readonly failures = new Map<Route, ConnectorFailure[]>();
  private server: Server | null = null;
  private sequence = 1000;

  /** The base URL to use as the activities' `serviceUrl`, with a trailing slash as Teams sends it. */
  get url(): string {
    if (this.server === null) throw new Error('FakeBotConnector is not started');
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/`;
  }

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const reply = this.handle(
          request.method ?? 'GET',
          request.url ?? '/',
          text,
          request.headers,
        );
        response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Makes the next `count` calls of `route` fail with `failure`. */
  failNext(route: Route, failure: ConnectorFailure, count = 1): void {
    const queue = this.failures.get(route) ?? [];
    for (let index = 0; index < count; index++) queue.push(failure);
    this.failures.set(route, queue);
  }

  /** Returns the calls whose method and decoded path match. */
  callsTo(method: string, path: string | RegExp): ConnectorCall[] {
    return this.calls.filter(
      (call) =>
        call.method === method &&
        (typeof path === 'string' ? call.path === path : path.test(call.path)),
    );
  }

  private handle(
    method: string,
    rawUrl: string,
    text: string,
    headers: IncomingHttpHeaders,
  ): { status: number; body?: unknown; headers?: Record<string, string> } {
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const segments = url.pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
    const path = `/${segments.join('/')}`;
    let body: Record<string, unknown> | null = null;
    if (text !== '') {
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = null;
      }
    }

    const route = routeOf(method, segments);
    let reply: { status: number; body?: unknown; headers?: Record<string, string> };
    const failure = route === null ? undefined : this.failures.get(route)?.shift();
    if (route === null)
      reply = { status: 404, body: error('NotFound', `no route ${method} ${path}`) };
    else if (failure !== undefined) reply = failureReply(failure);
    else reply = this.answer(route, segments, url.searchParams, body);

    this.calls.push({ method, path, query: url.searchParams, body, headers, status: reply.status });
    return reply;
  }

  private answer(
    route: Route,
    segments: string[],
    query: URLSearchParams,
    body: Record<string, unknown> | null,
  ): { status: number; body?: unknown } {
    const conversationId = segments[2] ?? '';
    switch (route) {
      case 'createConversation':
        return this.createConversation(body ?? {});
      case 'createActivity': {
        const id = this.nextId();
        this.activities.set(activityKey(conversationId, id), {
          conversationId,
          id,
          activity: body ?? {},
        });
        return { status: 201, body: { id } };
      }
      case 'updateActivity': {
        const id = segments[4] ?? '';
        const key = activityKey(conversationId, id);
        if (!this.activities.has(key)) {
          return { status: 404, body: error('ActivityNotFoundInConversation', 'not found') };
        }
        this.activities.set(key, { conversationId, id, activity: body ?? {} });
        return { status: 200, body: { id } };
      }
      case 'getMember': {
        const memberId = segments[4] ?? '';
        const member = this.membersOf(conversationId).find(
          (candidate) => candidate.id === memberId || candidate.aadObjectId === memberId,
        );
        if (member === undefined)
          return { status: 404, body: error('MemberNotFoundInConversation', 'not found') };
        return { status: 200, body: member };
      }
      case 'members': {
        const all = this.membersOf(conversationId);
        if (segments[3] === 'members') return { status: 200, body: all };
        const pageSize = Number(query.get('pageSize') ?? '200');
        const start = Number(query.get('continuationToken') ?? '0');
        const page = all.slice(start, start + pageSize);
        const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
        return {
          status: 200,
          body: next === undefined ? { members: page } : { members: page, continuationToken: next },
        };
      }
    }
  }

  private createConversation(body: Record<string, unknown>): { status: number; body?: unknown } {
    const channelData = body.channelData as { channel?: { id?: unknown } } | undefined;
    const channelId = channelData?.channel?.id;
    if (typeof channelId === 'string') {
      const id = this.nextId();
      const conversationId = `${channelId};messageid=${id}`;
      this.activities.set(activityKey(channelId, id), {
        conversationId: channelId,
        id,
        activity: (body.activity as Record<string, unknown>) ?? {},
      });
      return { status: 201, body: { id: conversationId, activityId: id } };
    }

    const members = body.members as Array<{ id?: unknown }> | undefined;
    const memberId = members?.[0]?.id;
    if (typeof memberId !== 'string') {
      return { status: 400, body: error('BadArgument', 'members or channelData.channel required') };
    }
    if (this.notInstalledFor.has(memberId)) {
      return {
        status: 403,
        body: error('Forbidden', 'The bot is not part of the conversation roster.'),
      };
    }
    return { status: 201, body: { id: `a:personal-${memberId}` } };
  }

  private membersOf(conversationId: string): FakeTeamsMember[] {
    const channel = conversationId.split(';')[0] ?? conversationId;
    return this.members.get(channel) ?? [];
  }

  private nextId(): string {
    this.sequence++;
    return `17000000${this.sequence}`;
  }
}

/**
 * Returns the key an activity is stored under. A channel's reply chain is the channel itself, so
 * `<channel>;messageid=<root>` and `<channel>` name the same activities.
 */
export function activityKey(conversationId: string, activityId: string): string {
  return `${conversationId.split(';')[0]}|${activityId}`;
}

function routeOf(method: string, segments: string[]): Route | null {
  if (segments[0] !== 'v3' || segments[1] !== 'conversations') return null;
  if (segments.length === 2 && method === 'POST') return 'createConversation';
  if (segments.length === 4 && segments[3] === 'activities' && method === 'POST') {
    return 'createActivity';
  }
  if (segments.length === 5 && segments[3] === 'activities' && method === 'PUT') {
    return 'updateActivity';
  }
  if (segments.length === 5 && segments[3] === 'members' && method === 'GET') return 'getMember';
  if (
    segments.length === 4 &&
    (segments[3] === 'members' || segments[3] === 'pagedMembers') &&
    method === 'GET'
  ) {
    return 'members';
  }
  return null;
}

function error(code: string, message: string) {
  return { error: { code, message } };
}

function failureReply(failure: ConnectorFailure): {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
} {
  if (failure.status === 429) {
    return {
      status: 429,
      body: error('TooManyRequests', 'rate limited'),
      headers: { 'retry-after': String(failure.retryAfterSeconds) },
    };
  }
  return {
    status: failure.status,
    body: error(failure.code ?? 'ServiceError', failure.message ?? 'scripted failure'),
  };
}
