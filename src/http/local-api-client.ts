import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { CasebridgeError, type ErrorCode, errorCatalogue } from '../errors.ts';

/** The server that has the embedded database open, as its data-directory lock records it. */
export interface LocalApiServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** CONSOLE_TOKEN, sent as a bearer token when set. */
  token: string | undefined;
}

export interface LocalApiRequest {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/api/files/sightings?hash=…`. */
  path: string;
  body?: { contentType: string; data: string | Readable };
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

/**
 * Sends one request to the local API and returns the parsed JSON response. An `{"error": …}`
 * response is thrown as the CasebridgeError it describes, so the CLI reports it as it would a
 * local failure. A stream body is sent as it is read. This uses node:http rather than fetch
 * because fetch stops waiting for the response headers after 300 s (undici's default), and a
 * large file-event ingest responds only when it is done.
 */
export function callLocalApi<T>(server: LocalApiServer, request: LocalApiRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (server.token !== undefined) headers.authorization = `Bearer ${server.token}`;
    if (request.body !== undefined) headers['content-type'] = request.body.contentType;

    let responded = false;
    const outgoing = httpRequest(new URL(request.path, server.url), {
      method: request.method,
      headers,
    });
    outgoing.on('error', (error) => {
      // The server may respond early, e.g. with 401, and close the connection while the body is
      // still being sent. Its response is then the result.
      if (!responded) reject(unreachable(server.url, error));
    });
    outgoing.on('response', (response) => {
      responded = true;
      readResponse<T>(response, request.path).then(resolve, reject);
    });

    const data = request.body?.data;
    if (data === undefined || typeof data === 'string') {
      outgoing.end(data);
      return;
    }
    data.on('error', (error) => {
      outgoing.destroy();
      reject(
        new CasebridgeError(
          'USAGE_INVALID',
          `Could not read the input: ${error.message}. Give a readable file, or - for standard input.`,
          { cause: error },
        ),
      );
    });
    data.pipe(outgoing);
  });
}

async function readResponse<T>(response: IncomingMessage, path: string): Promise<T> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response) text += chunk;

  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new CasebridgeError(
      'DATABASE_UNAVAILABLE',
      `HTTP ${response.statusCode} from ${path.split('?')[0]} with a body that is not JSON; check that the data-directory lock names a Casebridge server.`,
    );
  }
  const status = response.statusCode ?? 500;
  if (status < 400) return payload as T;

  const failure = (payload as ErrorBody).error;
  const code = failure?.code;
  throw new CasebridgeError(
    code !== undefined && code in errorCatalogue ? (code as ErrorCode) : 'DATABASE_UNAVAILABLE',
    failure?.message ?? `HTTP ${status} from ${path.split('?')[0]}`,
    { details: failure?.details ?? {} },
  );
}

function unreachable(url: string, error: Error): CasebridgeError {
  return new CasebridgeError(
    'DATABASE_UNAVAILABLE',
    `The Casebridge server at ${url} has the embedded database open but did not respond (${error.message}). Check that it is running, or stop it and retry.`,
    { cause: error },
  );
}
