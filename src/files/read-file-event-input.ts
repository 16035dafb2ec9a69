import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** One record of file-event input: its position and its JSON value, or why it could not be read. */
export type InputRecord = { index: number; value: unknown } | { index: number; error: string };

/** Input of `ingestFileEvents`: the API's `fileEvents` array, NDJSON or page text, or a stream of either. */
export type FileEventInput = readonly unknown[] | string | Readable;

/** The Incydr page key that contains the file events. */
const PAGE_KEY = 'fileEvents';

/**
 * Reads file-event records from parsed records, text or a stream, one at a time. See
 * `mapFileEventChunks`.
 */
export async function* readFileEventInput(input: FileEventInput): AsyncGenerator<InputRecord> {
  for await (const chunk of mapFileEventChunks(input, DEFAULT_CHUNK, (record) => record)) {
    yield* chunk;
  }
}

/** Records per chunk of `readFileEventInput`. */
const DEFAULT_CHUNK = 1000;

/** How long NDJSON input may pause before the records read so far are handed over, in ms. */
const PAUSE_MS = 100;

/** Tells whether `promise` settles, either way, within `ms` milliseconds. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads file-event records from parsed records, text or a stream, in chunks of at most `size`
 * records. Each record goes to `map` as soon as it is parsed, and the chunks hold what `map`
 * returns. NDJSON is read line by line, so a stream of millions of events needs memory for one
 * chunk at a time. When an NDJSON stream pauses for 100 ms, the records read so far come as a
 * shorter chunk. The index of an NDJSON record is its zero-based line number. A search page
 * (`{"fileEvents":[…],"nextPgToken":…}`) is read whole, as the API bounds its size; the index is
 * the position in `fileEvents`. A page that is not valid JSON is split into its records so that
 * one broken record is rejected and the others are kept. Because `map` runs as each record is
 * parsed, a record's parsed JSON is garbage once `map` has read it, not when its chunk is read.
 */
export async function* mapFileEventChunks<T>(
  input: FileEventInput,
  size: number,
  map: (record: InputRecord) => T,
): AsyncGenerator<T[]> {
  if (Array.isArray(input)) {
    for (let start = 0; start < input.length; start += size) {
      yield input
        .slice(start, start + size)
        .map((value, offset) => map({ index: start + offset, value }));
    }
    return;
  }
  const lines = typeof input === 'string' ? splitText(input) : readLines(input as Readable);
  yield* readLinesOrPage(lines, size, map);
}

async function* readLinesOrPage<T>(
  lineBatches: AsyncIterable<string[]>,
  size: number,
  map: (record: InputRecord) => T,
): AsyncGenerator<T[]> {
  const iterator = lineBatches[Symbol.asyncIterator]();
  const buffered: string[] = [];

  // The first non-blank line decides the format: a complete JSON record means NDJSON.
  let ndjson: boolean | null = null;
  while (ndjson === null) {
    const next = await iterator.next();
    if (next.done === true) break;
    buffered.push(...next.value);
    const first = next.value.find((line) => line.trim() !== '');
    if (first === undefined) continue;
    const parsed = tryParse(stripLineEnd(first, buffered.length === next.value.length));
    ndjson = parsed.ok && isObject(parsed.value) && !Array.isArray(parsed.value[PAGE_KEY]);
  }

  if (ndjson === true) {
    let chunk: T[] = [];
    let index = 0;
    const add = (line: string) => {
      const record = parseLine(line, index++);
      if (record !== null) chunk.push(map(record));
    };
    for (const line of buffered) add(line);
    for (;;) {
      while (chunk.length >= size) yield chunk.splice(0, size);
      const reading = iterator.next();
      // A stream that pauses hands over the records it sent, so that they are stored meanwhile.
      if (chunk.length > 0 && !(await settlesWithin(reading, PAUSE_MS))) {
        yield chunk;
        chunk = [];
      }
      const next = await reading;
      if (next.done === true) break;
      for (const line of next.value) add(line);
    }
    while (chunk.length > size) yield chunk.splice(0, size);
    if (chunk.length > 0) yield chunk;
    chunk = [];
    return;
  }

  // Not NDJSON: the rest is one document, a page or an array of records.
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) break;
    buffered.push(...next.value);
  }
  const records = [...readDocument(buffered.join('\n'))].map(map);
  for (let start = 0; start < records.length; start += size) {
    yield records.slice(start, start + size);
  }
}

/** Drops a line's carriage return, and the byte-order mark when it is the input's first line. */
function stripLineEnd(line: string, first: boolean): string {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (first && text.startsWith('\uFEFF')) text = text.slice(1);
  return text;
}

function parseLine(line: string, index: number): InputRecord | null {
  const text = stripLineEnd(line, index === 0);
  if (text.trim() === '') return null;
  const parsed = tryParse(text);
  if (parsed.ok) return { index, value: parsed.value };
  return { index, error: `line ${index + 1} is not valid JSON: ${parsed.error}` };
}

function* readDocument(text: string): Generator<InputRecord> {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return;

  const parsed = tryParse(body);
  if (parsed.ok) {
    const value = parsed.value;
    const records = Array.isArray(value)
      ? value
      : isObject(value) && Array.isArray(value[PAGE_KEY])
        ? (value[PAGE_KEY] as unknown[])
        : [value];
    for (const [index, record] of records.entries()) yield { index, value: record };
    return;
  }

  const elements = splitArrayElements(body);
  if (elements === null) {
    yield {
      index: 0,
      error: `input is not valid JSON (${parsed.error}) and not NDJSON; send one JSON document, a fileEvents page or one event per line`,
    };
    return;
  }
  for (const [index, element] of elements.entries()) {
    const record = tryParse(element);
    if (record.ok) yield { index, value: record.value };
    else yield { index, error: `fileEvents[${index}] is not valid JSON: ${record.error}` };
  }
}

/**
 * Finds the `fileEvents` array of a page (or a top-level array) and returns the text of each
 * element, tracking strings and nesting but not validating escapes. Returns null when the text
 * has no such array.
 */
export function splitArrayElements(text: string): string[] | null {
  const keyMatch = new RegExp(`"${PAGE_KEY}"\\s*:\\s*\\[`).exec(text);
  let position: number;
  if (keyMatch !== null) position = keyMatch.index + keyMatch[0].length;
  else if (text.trimStart().startsWith('[')) position = text.indexOf('[') + 1;
  else return null;

  const elements: string[] = [];
  let depth = 0;
  let inString = false;
  let start = position;
  for (let i = position; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
      if (depth === 0) {
        const last = text.slice(start, i).trim();
        if (last !== '') elements.push(last);
        return elements;
      }
      depth--;
    } else if (char === ',' && depth === 0) {
      elements.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  return null;
}

type ParseOutcome = { ok: true; value: unknown } | { ok: false; error: string };

function tryParse(text: string): ParseOutcome {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

async function* splitText(text: string): AsyncGenerator<string[]> {
  yield text.split('\n');
}

/**
 * Splits a stream into lines, one batch per chunk the stream delivers. Faster than node:readline
 * for large inputs, since it hands over many lines per await.
 */
async function* readLines(stream: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const data of stream) {
    const text = rest + (typeof data === 'string' ? data : decoder.write(data as Buffer));
    const lines = text.split('\n');
    rest = lines.pop()!;
    if (lines.length > 0) yield lines;
  }
  rest += decoder.end();
  if (rest !== '') yield [rest];
}
