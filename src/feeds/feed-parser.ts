import type { z } from 'zod';
import { describeIssues } from './describe-issues.ts';
import type { DecodedInput } from './read-input.ts';
import type { ParseResult, Signal } from './signal.ts';

export type RecordOutcome = { ok: true; signal: Signal } | { ok: false; reason: string };
export type RecordParser = (record: unknown) => RecordOutcome;

/** The records that a vendor's page wrapper holds. */
export interface Page {
  /** The wrapper's shape for messages, e.g. `{"items":[…]}`. */
  shape: string;
  records: unknown[];
  /** Parses every record of the page, for pages that add context to their records. */
  parseRecord?: RecordParser;
}

/** The recognisers and parsers of one feed's records and pages. */
export interface FeedParser {
  /** Returns the parser for the kind of record `value` is, or null when it is no known record. */
  recordParser(value: object): RecordParser | null;
  /** Returns the page that `value` is, or null. Only asked about values that are no record. */
  readPage(value: object): Page | null;
  /** The rejection reason for an object that is neither a known record nor a page. */
  unknownRecordReason: string;
}

type AddOutcome = (index: number, outcome: RecordOutcome) => void;

/**
 * Parses decoded input into accepted and rejected records. Indexes are positions in the
 * top-level array, the page's record list or the NDJSON lines.
 */
export function runFeedParser(parser: FeedParser, input: DecodedInput): ParseResult {
  const result: ParseResult = { accepted: [], rejected: [] };
  const add: AddOutcome = (index, outcome) => {
    if (outcome.ok) result.accepted.push({ index, signal: outcome.signal });
    else result.rejected.push({ index, reason: outcome.reason });
  };

  if (input.kind === 'invalid') {
    add(0, { ok: false, reason: input.reason });
  } else if (input.kind === 'lines') {
    for (const line of input.lines) {
      if ('error' in line) add(line.index, { ok: false, reason: line.error });
      else add(line.index, parseRecord(parser, line.value));
    }
  } else {
    parseDocument(parser, input.value, add);
  }
  return result;
}

/** Parses a whole JSON document: an array of records, a vendor page or a single record. */
function parseDocument(parser: FeedParser, document: unknown, add: AddOutcome): void {
  if (Array.isArray(document)) {
    for (const [index, element] of document.entries()) add(index, parseRecord(parser, element));
    return;
  }
  if (document === null || typeof document !== 'object') {
    add(0, {
      ok: false,
      reason: `input is a JSON ${jsonType(document)}; expected an object, an array or NDJSON`,
    });
    return;
  }

  const page = parser.recordParser(document) === null ? parser.readPage(document) : null;
  if (page === null) {
    add(0, parseRecord(parser, document));
    return;
  }
  for (const [index, record] of page.records.entries()) {
    add(index, parseRecord(parser, record, page.parseRecord));
  }
}

/**
 * Parses one record: the whole input, an element of a top-level array or page, or an NDJSON
 * line. A page found in one of these places is rejected rather than unwrapped, so that every
 * index stays a position in the input.
 */
function parseRecord(parser: FeedParser, value: unknown, pageParser?: RecordParser): RecordOutcome {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: `record is a JSON ${jsonType(value)}; expected an object` };
  }

  const recordParser = pageParser ?? parser.recordParser(value);
  if (recordParser !== null) return recordParser(value);

  const nestedPage = parser.readPage(value);
  if (nestedPage !== null) {
    return {
      ok: false,
      reason: `record is a page of records (${nestedPage.shape}); send a page as the whole input, not inside an array, a page or an NDJSON line`,
    };
  }
  return { ok: false, reason: parser.unknownRecordReason };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Validates a record against a vendor schema; a failure names the fields and values at fault. */
export function parseShape<Schema extends z.ZodType>(
  schema: Schema,
  record: unknown,
): { ok: true; data: z.output<Schema> } | { ok: false; reason: string } {
  const result = schema.safeParse(record);
  if (result.success) return { ok: true, data: result.data };
  return { ok: false, reason: describeIssues(result.error.issues, record) };
}

/** Returns true when `value` is an object that has an array under `key`. */
export function hasArray(value: object, key: string): boolean {
  return Array.isArray((value as Record<string, unknown>)[key]);
}
