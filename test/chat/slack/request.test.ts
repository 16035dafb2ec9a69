import { describe, expect, it } from 'vitest';
import { parseCaseCommand } from '../../../src/chat/slack/case-command.ts';
import {
  parseSlackBody,
  retryHeaders,
  verifySlackSignature,
} from '../../../src/chat/slack/request.ts';
import { CasebridgeError } from '../../../src/errors.ts';
import { corpus, interactivityBody, signature } from './slack-payloads.ts';

const vector = corpus.signingVector;
const vectorNowMs = Number(vector.headers['X-Slack-Request-Timestamp']) * 1000;

function vectorHeaders(overrides: Record<string, string> = {}) {
  return {
    'x-slack-request-timestamp': vector.headers['X-Slack-Request-Timestamp'],
    'x-slack-signature': vector.headers['X-Slack-Signature'],
    ...overrides,
  };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CasebridgeError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('verifySlackSignature', () => {
  it('accepts the corpus vector', () => {
    expect(() =>
      verifySlackSignature({
        signingSecret: vector.signing_secret,
        headers: vectorHeaders(),
        rawBody: vector.raw_body,
        nowMs: vectorNowMs + 60_000,
      }),
    ).not.toThrow();
    expect(signature(vector.signing_secret, vectorNowMs / 1000, vector.raw_body)).toBe(
      vector.expected_signature,
    );
  });

  it('rejects the vector after five minutes', () => {
    const code = codeOf(() =>
      verifySlackSignature({
        signingSecret: vector.signing_secret,
        headers: vectorHeaders(),
        rawBody: vector.raw_body,
        nowMs: vectorNowMs + 5 * 60_000 + 1000,
      }),
    );

    expect(code).toBe('UNAUTHENTICATED');
  });

  it('rejects a timestamp in the future', () => {
    const code = codeOf(() =>
      verifySlackSignature({
        signingSecret: vector.signing_secret,
        headers: vectorHeaders(),
        rawBody: vector.raw_body,
        nowMs: vectorNowMs - 5 * 60_000 - 1000,
      }),
    );

    expect(code).toBe('UNAUTHENTICATED');
  });

  it('rejects a changed body, secret or header', () => {
    const base = {
      signingSecret: vector.signing_secret,
      headers: vectorHeaders(),
      rawBody: vector.raw_body,
      nowMs: vectorNowMs,
    };

    expect(codeOf(() => verifySlackSignature({ ...base, rawBody: `${vector.raw_body}&x=1` }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(codeOf(() => verifySlackSignature({ ...base, signingSecret: 'other' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(
      codeOf(() =>
        verifySlackSignature({ ...base, headers: vectorHeaders({ 'x-slack-signature': 'v1=ab' }) }),
      ),
    ).toBe('UNAUTHENTICATED');
    expect(
      codeOf(() =>
        verifySlackSignature({
          ...base,
          headers: vectorHeaders({ 'x-slack-request-timestamp': '1531420618.5' }),
        }),
      ),
    ).toBe('UNAUTHENTICATED');
    expect(
      codeOf(() =>
        verifySlackSignature({
          ...base,
          headers: { 'x-slack-signature': vector.expected_signature },
        }),
      ),
    ).toBe('UNAUTHENTICATED');
  });
});

describe('parseSlackBody', () => {
  it('decodes the corpus interactivity body', () => {
    const body = parseSlackBody('application/x-www-form-urlencoded', corpus.blockActionsBody);

    expect(body).toEqual(corpus.blockActions);
    expect(interactivityBody(corpus.blockActions)).toBe(corpus.blockActionsBody);
  });

  it('reads slash command fields', () => {
    const body = parseSlackBody(
      'application/x-www-form-urlencoded; charset=utf-8',
      corpus.slashCommandBody,
    );

    expect(body).toMatchObject({
      command: '/hello-world',
      text: 'Hi',
      user_id: 'W111',
      enterprise_name: 'Org Name',
      trigger_id: '111.111.xxx',
    });
  });

  it('reads Events API JSON', () => {
    const body = parseSlackBody('application/json', JSON.stringify(corpus.eventRetry.body));

    expect(body).toEqual(corpus.eventRetry.body);
  });

  it('rejects malformed bodies', () => {
    expect(codeOf(() => parseSlackBody('application/json', '{'))).toBe('PAYLOAD_INVALID');
    expect(codeOf(() => parseSlackBody('application/json', '[1]'))).toBe('PAYLOAD_INVALID');
    expect(codeOf(() => parseSlackBody('application/x-www-form-urlencoded', 'payload=%7B'))).toBe(
      'PAYLOAD_INVALID',
    );
    expect(codeOf(() => parseSlackBody(undefined, '{}'))).toBe('PAYLOAD_INVALID');
  });
});

describe('retryHeaders', () => {
  it('reads the corpus retry headers', () => {
    expect(
      retryHeaders({
        'x-slack-retry-num': corpus.eventRetry.headers['X-Slack-Retry-Num'],
        'x-slack-retry-reason': corpus.eventRetry.headers['X-Slack-Retry-Reason'],
      }),
    ).toEqual({ retryNum: 1, retryReason: 'http_timeout' });
    expect(retryHeaders({})).toEqual({});
  });
});

describe('parseCaseCommand', () => {
  it('parses each subcommand', () => {
    expect(parseCaseCommand('')).toEqual({ kind: 'help' });
    expect(parseCaseCommand('  HELP ')).toEqual({ kind: 'help' });
    expect(parseCaseCommand('show CB-0042')).toEqual({ kind: 'show', caseRef: 'CB-0042' });
    expect(parseCaseCommand('show')).toEqual({ kind: 'show', caseRef: null });
    expect(parseCaseCommand('Mine')).toEqual({ kind: 'mine' });
    expect(parseCaseCommand('note cb-42  Called HR.\nNo answer. ')).toEqual({
      kind: 'note',
      caseRef: 'cb-42',
      text: 'Called HR.\nNo answer.',
    });
    expect(parseCaseCommand('note CB-1')).toEqual({ kind: 'note', caseRef: 'CB-1', text: null });
    expect(parseCaseCommand('purge CB-1')).toEqual({ kind: 'unknown', name: 'purge' });
  });
});
