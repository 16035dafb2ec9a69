import type { Writable } from 'node:stream';
import type { Executor } from './db.ts';

/** The parts of the drivers under drizzle's session that COPY needs. */
interface PostgresJsClient {
  unsafe(query: string): { writable(): Promise<Writable> };
}
interface PgliteClient {
  query(query: string, params: unknown[], options: { blob: Blob }): Promise<unknown>;
}

/**
 * Returns the driver client under a drizzle database or transaction: postgres.js's `Sql` or
 * `TransactionSql`, or PGlite's instance or transaction. Drizzle keeps it as `session.client`.
 */
function driverClient(executor: Executor): PostgresJsClient | PgliteClient {
  const session = (executor as unknown as { session?: { client?: unknown } }).session;
  const client = session?.client;
  if (client === undefined || client === null) {
    throw new Error(
      'COPY needs the driver client under drizzle, which this executor does not expose',
    );
  }
  return client as PostgresJsClient | PgliteClient;
}

/**
 * Runs `COPY <target> FROM STDIN` with rows in PostgreSQL's text format (see `copyField`), in the
 * executor's transaction, and resolves once the server has stored them. On postgres.js the rows
 * are streamed, so the server parses them while the caller goes on. On PGlite they are handed
 * over as a blob.
 *
 * `target` is trusted SQL: a table name and its column list, e.g. `"t" ("a", "b")`.
 */
export async function copyRows(executor: Executor, target: string, rows: string): Promise<void> {
  const client = driverClient(executor);
  if ('unsafe' in client) {
    const stream = await client.unsafe(`COPY ${target} FROM STDIN`).writable();
    await new Promise<void>((resolve, reject) => {
      // postgres.js ends the stream on the server's CommandComplete, or with its error, which
      // the end callback receives; the stream also emits it as an event.
      stream.once('error', () => {});
      stream.end(rows, (error?: Error | null) => (error ? reject(error) : resolve()));
    });
    return;
  }
  await client.query(`COPY ${target} FROM '/dev/blob'`, [], { blob: new Blob([rows]) });
}

/** The text format's marker for NULL. */
export const COPY_NULL = '\\N';

const special = /[\\\n\r\t]/;
const specials = /[\\\n\r\t]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Writes one value as a field of COPY's text format: NULL as `\N`, text with its escapes. */
export function copyField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return COPY_NULL;
  if (typeof value === 'number') return String(value);
  return special.test(value) ? value.replace(specials, (char) => escapes[char]!) : value;
}

/** Writes a text array as a field of COPY's text format, e.g. `{"a.example","b.example"}`. */
export function copyTextArray(values: readonly string[]): string {
  const elements = values.map((value) => `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`);
  return copyField(`{${elements.join(',')}}`);
}
