import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received, with the status it returned. */
export interface IncydrCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The parsed JSON body, or null. */
  body: Record<string, unknown> | null;
  /** `basic`, `bearer` or `none`; the credential itself is not kept. */
  auth: 'basic' | 'bearer' | 'none';
  /** Wall-clock time of arrival, in milliseconds. */
  at: number;
  status: number;
}

/** A scripted response that replaces the handling of one request to a path. */
export interface IncydrFault {
  status: number;
  retryAfter?: string;
  /** Raw response body; a JSON error by default. */
  body?: string;
}

export interface FakeIncydrOptions {
  clientId?: string;
  clientSecret?: string;
  /** `expires_in` of the tokens the fake issues; they stop working after it. */
  tokenLifetimeSeconds?: number;
}

interface FakeEvent {
  id: string;
  inserted: number;
  record: Record<string, unknown>;
}

/**
 * A local fake of the Incydr API on 127.0.0.1: `POST /v1/oauth` (HTTP Basic client credentials,
 * tokens of a configurable lifetime), `GET /v1/sessions` (page numbers, begin-time filters) and
 * `POST /v2/file-events` (`event.inserted` range filters, `pgToken` cursors). It records every
 * request, and scripted faults replace the response to the n-th request to a path.
 */
export class FakeIncydrApi {
  readonly calls: IncydrCall[] = [];
  readonly clientId: string;
  readonly clientSecret: string;
  tokenLifetimeSeconds: number;

  private readonly tokens = new Map<string, number>();
  private readonly faults = new Map<string, Map<number, IncydrFault>>();
  private readonly pathCounts = new Map<string, number>();
  private events: FakeEvent[] = [];
  private sessions: Array<Record<string, unknown>> = [];
  private server: Server | null = null;
  private baseUrl = '';

  constructor(options: FakeIncydrOptions = {}) {
    this.clientId = options.clientId ?? 'key-1234';
    this.clientSecret = options.clientSecret ?? 'secret-abcd';
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds ?? 900;
  }

  get url(): string {
    return this.baseUrl;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (this.server === null) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** Adds file events; each needs `event.id` and `event.inserted`. */
  addFileEvents(records: Array<Record<string, unknown>>): void {
    for (const record of records) {
      const event = record.event as { id: string; inserted: string };
      this.events.push({ id: event.id, inserted: Date.parse(event.inserted), record });
    }
    this.events.sort((a, b) => a.inserted - b.inserted || a.id.localeCompare(b.id));
  }

  addSessions(records: Array<Record<string, unknown>>): void {
    this.sessions.push(...records);
  }

  /** Replaces the response to the `nth` request (from 1, counted from now on) to `path` with `fault`. */
  failRequest(path: string, nth: number, fault: IncydrFault): void {
    const counted = this.pathCounts.get(path) ?? 0;
    const byPath = this.faults.get(path) ?? new Map<number, IncydrFault>();
    byPath.set(counted + nth, fault);
    this.faults.set(path, byPath);
  }

  /** Makes every token issued so far invalid, as when a token expires early. */
  revokeTokens(): void {
    this.tokens.clear();
  }

  callsTo(path: string): IncydrCall[] {
    return this.calls.filter((call) => call.path === path);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const text = await readBody(request);
    const authorization = request.headers.authorization ?? '';
    const call: IncydrCall = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseJson(text),
      auth: authorization.startsWith('Basic ')
        ? 'basic'
        : authorization.startsWith('Bearer ')
          ? 'bearer'
          : 'none',
      at: Date.now(),
      status: 0,
    };
    this.calls.push(call);
    const count = (this.pathCounts.get(call.path) ?? 0) + 1;
    this.pathCounts.set(call.path, count);

    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      call.status = status;
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    };

    const fault = this.faults.get(call.path)?.get(count);
    if (fault !== undefined) {
      return send(
        fault.status,
        fault.body ?? JSON.stringify({ error: `scripted ${fault.status}` }),
        fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter },
      );
    }

    if (call.path === '/v1/oauth' && call.method === 'POST') {
      if (authorization !== basicAuth(this.clientId, this.clientSecret)) {
        return send(401, JSON.stringify({ error: 'invalid client credentials' }));
      }
      const token = randomBytes(12).toString('hex');
      this.tokens.set(token, Date.now() + this.tokenLifetimeSeconds * 1000);
      return send(
        200,
        JSON.stringify({
          token_type: 'bearer',
          expires_in: this.tokenLifetimeSeconds,
          access_token: token,
        }),
      );
    }

    const expiresAt = this.tokens.get(authorization.replace(/^Bearer /, ''));
    if (expiresAt === undefined || expiresAt <= Date.now()) {
      return send(401, JSON.stringify({ error: 'token expired or invalid' }));
    }

    if (call.path === '/v1/sessions' && call.method === 'GET') {
      return send(200, JSON.stringify(this.sessionsPage(call.query)));
    }
    if (call.path === '/v2/file-events' && call.method === 'POST') {
      const page = this.fileEventsPage(call.body ?? {});
      return page === null
        ? send(400, JSON.stringify({ problems: [{ type: 'INVALID_PAGE_TOKEN' }] }))
        : send(200, JSON.stringify(page));
    }
    return send(404, JSON.stringify({ error: 'not found' }));
  }

  private sessionsPage(query: Record<string, string>) {
    const from = Number(query.on_or_after ?? Number.NEGATIVE_INFINITY);
    const before = Number(query.before ?? Number.POSITIVE_INFINITY);
    const size = Number(query.page_size ?? 50);
    const number = Number(query.page_number ?? 0);
    const matching = this.sessions
      .filter((session) => {
        const begin = session.beginTime as number;
        return begin >= from && begin < before;
      })
      .sort((a, b) => (a.endTime as number) - (b.endTime as number));
    return {
      items: matching.slice(number * size, (number + 1) * size),
      totalCount: matching.length,
    };
  }

  private fileEventsPage(body: Record<string, unknown>) {
    const filters = (
      (body.groups as Array<{ filters: Array<Record<string, string>> }>) ?? []
    ).flatMap((group) => group.filters);
    const bound = (operator: string) => {
      const filter = filters.find(
        (item) => item.term === 'event.inserted' && item.operator === operator,
      );
      return filter === undefined ? undefined : Date.parse(filter.value as string);
    };
    const from = bound('ON_OR_AFTER') ?? Number.NEGATIVE_INFINITY;
    const to = bound('ON_OR_BEFORE') ?? Number.POSITIVE_INFINITY;
    const matching = this.events.filter((event) => event.inserted >= from && event.inserted <= to);
    const size = Number(body.pgSize ?? 100);
    const token = typeof body.pgToken === 'string' ? body.pgToken : '';

    // The token names the event the page starts at, as Incydr's does.
    let startIndex = 0;
    if (token !== '') {
      startIndex = matching.findIndex(
        (event) => event.id === Buffer.from(token, 'base64url').toString(),
      );
      if (startIndex < 0) return null;
    }
    const page = matching.slice(startIndex, startIndex + size);
    const next = matching[startIndex + size];
    return {
      fileEvents: page.map((event) => event.record),
      nextPgToken: next === undefined ? null : Buffer.from(next.id).toString('base64url'),
      problems: null,
      totalCount: matching.length,
    };
  }
}

export function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> | null {
  if (text === '') return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}
