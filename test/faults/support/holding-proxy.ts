import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `forwarded`: the request reaches the upstream API (the post happens) but the response is kept
 * from the client. `dropped`: the request never reaches the upstream API.
 */
export type HoldMode = 'forwarded' | 'dropped';

export interface HeldRequest {
  method: string;
  body: string;
  /** Closes the held client connection without a response. */
  release(): void;
}

/**
 * An HTTP proxy on 127.0.0.1 in front of the fake Slack Web API that can hold the next call of a
 * method open, so that a test can kill the bot while a delivery is in flight. After that call
 * arrives, every later call is held without reaching the fake until `resume()`, so that only the
 * held call can have reached Slack when the test kills the bot.
 */
export class HoldingProxy {
  private armed: { method: string; mode: HoldMode; resolve(held: HeldRequest): void } | null = null;
  private readonly held: ServerResponse[] = [];
  private frozen = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly upstream: string,
  ) {}

  /** Starts a proxy for `upstream`, a base URL ending in `/api/`. */
  static async start(upstream: string): Promise<HoldingProxy> {
    let proxy: HoldingProxy | undefined;
    const server = createServer((request, response) => {
      void proxy!.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    proxy = new HoldingProxy(server, `http://127.0.0.1:${port}/api/`, upstream);
    return proxy;
  }

  /** Holds the next call of `method` (such as `chat.postMessage`); resolves when it arrives. */
  holdNext(method: string, mode: HoldMode): Promise<HeldRequest> {
    return new Promise((resolve) => {
      this.armed = { method, mode, resolve };
    });
  }

  /** Forwards calls again and closes the connections of the calls held so far. */
  resume(): void {
    this.frozen = false;
    for (const response of this.held.splice(0)) response.destroy();
  }

  async close(): Promise<void> {
    for (const response of this.held) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = /\/api\/([\w.]+)/.exec(request.url ?? '')?.[1] ?? '';
    if (this.frozen) {
      this.held.push(response);
      return;
    }
    const armed = this.armed?.method === method ? this.armed : null;
    if (armed !== null) {
      this.armed = null;
      this.frozen = true;
    }

    if (armed === null || armed.mode === 'forwarded') {
      const answer = await fetch(new URL(method, this.upstream), {
        method: request.method ?? 'POST',
        headers: {
          'content-type': request.headers['content-type'] ?? 'application/json',
          ...(request.headers.authorization === undefined
            ? {}
            : { authorization: request.headers.authorization }),
        },
        body,
      });
      const text = await answer.text();
      if (armed === null) {
        const retryAfter = answer.headers.get('retry-after');
        response.writeHead(answer.status, {
          'content-type': 'application/json',
          ...(retryAfter === null ? {} : { 'retry-after': retryAfter }),
        });
        response.end(text);
        return;
      }
    }

    this.held.push(response);
    armed.resolve({ method, body: body.toString('utf8'), release: () => response.destroy() });
  }
}
