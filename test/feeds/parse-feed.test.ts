import { describe, expect, it } from 'vitest';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { readFixture } from './fixtures.ts';

const sessionsPage = JSON.parse(readFixture('incydr/sessions-v1-page.json')) as { items: object[] };
const session = sessionsPage.items[0] as Record<string, unknown>;
const xsoarSession = JSON.parse(readFixture('incydr/sessions-v1-session-xsoar.json')) as Record<
  string,
  unknown
>;

function externalIds(text: string): [number, string][] {
  return parseFeed('incydr', text).accepted.map((record) => [
    record.index,
    record.signal.externalId,
  ]);
}

describe('parseFeed input shapes', () => {
  it('reads a bare record', () => {
    expect(externalIds(JSON.stringify(xsoarSession))).toEqual([[0, 'sessionid-abc-1']]);
  });

  it('reads a page with indexes in its list', () => {
    const page = { items: [session, xsoarSession], totalCount: 2 };

    expect(externalIds(JSON.stringify(page))).toEqual([
      [0, '123-session-1'],
      [1, 'sessionid-abc-1'],
    ]);
  });

  it('reads a top-level array', () => {
    expect(externalIds(JSON.stringify([xsoarSession, session]))).toEqual([
      [0, 'sessionid-abc-1'],
      [1, '123-session-1'],
    ]);
  });

  it('reads NDJSON with line indexes', () => {
    const text = `${JSON.stringify(session)}\n\n${JSON.stringify(xsoarSession)}\n`;

    expect(externalIds(text)).toEqual([
      [0, '123-session-1'],
      [2, 'sessionid-abc-1'],
    ]);
  });

  it('reads NDJSON with CRLF line ends and a BOM', () => {
    const text = `\uFEFF${JSON.stringify(session)}\r\n${JSON.stringify(xsoarSession)}\r\n`;

    expect(externalIds(text)).toEqual([
      [0, '123-session-1'],
      [1, 'sessionid-abc-1'],
    ]);
  });

  it('rejects a bad NDJSON line and keeps the others', () => {
    const text = [
      JSON.stringify(session),
      '{"sessionId": "broken",',
      JSON.stringify(xsoarSession),
    ].join('\n');

    const result = parseFeed('incydr', text);

    expect(result.accepted.map((record) => record.index)).toEqual([0, 2]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(1);
    expect(result.rejected[0]?.reason).toMatch(/^line 2 is not valid JSON: /);
    expect(result.rejected[0]?.reason).toMatch(/column 24\)$/);
  });

  it('rejects a bad first NDJSON line', () => {
    const text = ['not json', JSON.stringify(xsoarSession)].join('\n');

    const result = parseFeed('incydr', text);

    expect(result.accepted.map((record) => record.index)).toEqual([1]);
    expect(result.rejected.map((record) => record.index)).toEqual([0]);
    expect(result.rejected[0]?.reason).toMatch(/^line 1 is not valid JSON: /);
  });

  it('rejects text that is not JSON', () => {
    const result = parseFeed('webhook', 'hello, this is not JSON\nnor is this');

    expect(result.accepted).toEqual([]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/^input is not valid JSON: Unexpected token/);
  });

  it('rejects truncated JSON', () => {
    const text = JSON.stringify(sessionsPage, null, 2).slice(0, 200);

    const result = parseFeed('incydr', text);

    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]?.index).toBe(0);
    expect(result.rejected[0]?.reason).toMatch(/^input is not valid JSON: /);
  });

  it('rejects empty input', () => {
    expect(parseFeed('purview', ' \n ').rejected).toEqual([{ index: 0, reason: 'input is empty' }]);
  });

  it('rejects a JSON scalar', () => {
    expect(parseFeed('exabeam', '42').rejected).toEqual([
      { index: 0, reason: 'input is a JSON number; expected an object, an array or NDJSON' },
    ]);
  });

  it('rejects array elements that are not objects', () => {
    expect(parseFeed('webhook', '[null, "x", [1]]').rejected).toEqual([
      { index: 0, reason: 'record is a JSON null; expected an object' },
      { index: 1, reason: 'record is a JSON string; expected an object' },
      { index: 2, reason: 'record is a JSON array; expected an object' },
    ]);
  });

  it('rejects a page inside an array', () => {
    expect(parseFeed('incydr', JSON.stringify([sessionsPage])).rejected).toEqual([
      {
        index: 0,
        reason:
          'record is a page of records ({"items":[…]}); send a page as the whole input, not inside an array, a page or an NDJSON line',
      },
    ]);
  });

  it('accepts an empty page', () => {
    expect(parseFeed('purview', '{"value":[]}')).toEqual({ accepted: [], rejected: [] });
  });

  it('rejects a record missing its subject', () => {
    const { actorId: _actorId, actorName: _actorName, ...anonymous } = session;
    const page = { items: [xsoarSession, anonymous] };

    const result = parseFeed('incydr', JSON.stringify(page));

    expect(result.accepted.map((record) => record.index)).toEqual([0]);
    expect(result.rejected).toEqual([
      {
        index: 1,
        reason: 'actorId: missing, and actorName is missing too; the session has no subject',
      },
    ]);
  });

  it('keeps raw records as parsed', () => {
    const [record] = parseFeed('incydr', JSON.stringify(sessionsPage)).accepted;

    expect(record?.signal.raw).toEqual(session);
  });
});
