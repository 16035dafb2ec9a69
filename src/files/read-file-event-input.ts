import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One record of file-event input: its position and its JSON value, or why it could not be read. */
export type InputRecord = { index: number; value: unknown } | { index: number; error: string };

/** Input of `ingestFileEvents`: the API's `fileEvents` array, NDJSON or page text, or a stream of either. */
export type FileEventInput = readonly unknown[] | string | Readable;

/** The Incydr page key that contains the file events. */
const PAGE_KEY = 'fileEvents';

/**
 * Reads file-event records from parsed records, text or a stream. NDJSON is read line by line, so
 * a stream of millions of events needs memory for one line at a time; the index is the zero-based
 * line number. A search page (`{"fileEvents":[…],"nextPgToken":…}`) is read whole, as the API
 * bounds its size; the index is the position in `fileEvents`. A page that is not valid JSON is
 * split into its records so that one broken record is rejected and the others are kept.
 */
export async function* readFileEventInput(input: FileEventInput): AsyncGenerator<InputRecord> {
  if (Array.isArray(input)) {
    for (const [index, value] of input.entries()) yield { index, value };
    return;
  }
  const lines = typeof input === 'string' ? splitText(input) : readLines(input as Readable);
  yield* readLinesOrPage(lines);
}

async function* readLinesOrPage(lines: AsyncIterable<string>): AsyncGenerator<InputRecord> {
  const iterator = lines[Symbol.asyncIterator]();
  const buffered: string[] = [];
  let index = 0;

  // The first non-blank line decides the format: a complete JSON record means NDJSON.
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) break;
    buffered.push(next.value);
    if (next.value.trim() === '') continue;

    const first = tryParse(next.value);
    if (first.ok && isObject(first.value) && !Array.isArray(first.value[PAGE_KEY])) {
      for (const line of buffered) yield* parseLine(line, index++);
      for (;;) {
        const line = await iterator.next();
        if (line.done === true) return;
        yield* parseLine(line.value, index++);
      }
    }
    break;
  }

  // Not NDJSON: the rest is one document, a page or an array of records.
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) break;
    buffered.push(next.value);
  }
  yield* readDocument(buffered.join('\n'));
}

function* parseLine(line: string, index: number): Generator<InputRecord> {
  let text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (index === 0 && text.startsWith('\uFEFF')) text = text.slice(1);
  if (text.trim() === '') return;
  const parsed = tryParse(text);
  if (parsed.ok) yield { index, value: parsed.value };
  else yield { index, error: `line ${index + 1} is not valid JSON: ${parsed.error}` };
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

async function* splitText(text: string): AsyncGenerator<string> {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    if (end === -1) {
      yield text.slice(start);
      return;
    }
    yield text.slice(start, end);
    start = end + 1;
  }
}

function readLines(stream: Readable): AsyncIterable<string> {
  return createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
}
