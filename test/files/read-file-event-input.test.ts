import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type InputRecord,
  readFileEventInput,
  splitArrayElements,
} from '../../src/files/read-file-event-input.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/feeds/incydr/${name}`, import.meta.url), 'utf8');

async function collect(input: Parameters<typeof readFileEventInput>[0]): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for await (const record of readFileEventInput(input)) records.push(record);
  return records;
}

describe('file event input', () => {
  it('reads NDJSON by line number', async () => {
    const records = await collect('{"a":1}\n\n{"a":2}\r\nnot json\n');
    expect(records.map((record) => record.index)).toEqual([0, 2, 3]);
    expect(records[1]).toEqual({ index: 2, value: { a: 2 } });
    expect(records[2]).toMatchObject({ index: 3, error: expect.stringContaining('line 4') });
  });

  it('reads NDJSON from a stream', async () => {
    const stream = Readable.from(['{"a":1}\n{"a"', ':2}\n']);
    const records = await collect(stream);
    expect(records).toEqual([
      { index: 0, value: { a: 1 } },
      { index: 1, value: { a: 2 } },
    ]);
  });

  it('reads a search page by position', async () => {
    const records = await collect(fixture('file-events-v2-search-saas-salesforce-gmail.json'));
    expect(records).toHaveLength(2);
    expect(records.map((record) => record.index)).toEqual([0, 1]);
  });

  it('reads the fileEvents array as given', async () => {
    const records = await collect([{ a: 1 }, 'text']);
    expect(records).toEqual([
      { index: 0, value: { a: 1 } },
      { index: 1, value: 'text' },
    ]);
  });

  it('rejects only the record with an invalid escape', async () => {
    const broken = fixture('file-events-v2-invalid-json-escape.txt');
    const good = JSON.parse(fixture('file-events-v2-search-endpoint-dropbox.json')).fileEvents[0];
    // The broken page with a valid event before and after the broken one.
    const page = broken
      .replace('"fileEvents": [', `"fileEvents": [${JSON.stringify(good)},`)
      .replace(
        /\]\s*,\s*"nextPgToken"/,
        `, ${JSON.stringify({ ...good, note: 'a ] and a " in a string' })}], "nextPgToken"`,
      );
    const records = await collect(page);
    expect(records.map((record) => record.index)).toEqual([0, 1, 2]);
    expect('value' in records[0]!).toBe(true);
    expect(records[1]).toMatchObject({
      error: expect.stringContaining('fileEvents[1] is not valid JSON'),
    });
    expect(records[2]).toMatchObject({ value: { note: 'a ] and a " in a string' } });
  });

  it('rejects text that is neither JSON nor NDJSON', async () => {
    const records = await collect('{ "fileEvents": ');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      index: 0,
      error: expect.stringContaining('not valid JSON'),
    });
  });

  it('splits array elements with nested brackets', () => {
    expect(splitArrayElements('{"fileEvents": [ {"a":[1,2]}, {"b":"]"} ], "x": 1}')).toEqual([
      '{"a":[1,2]}',
      '{"b":"]"}',
    ]);
    expect(splitArrayElements('{"other": 1}')).toBeNull();
  });
});
