import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWatchReason } from '../../src/chat/watch-reason-text.ts';
import { parseFeed } from '../../src/feeds/parse-feed.ts';
import { deriveSignalFacts } from '../../src/intake/signal-facts.ts';
import {
  decideWatchAction,
  type WatchMembership,
  watchPriority,
} from '../../workflows/watch-rules.ts';
import { makeSignal, repoRoot } from '../support/builders.ts';

function corpusSignals(file: string) {
  const text = readFileSync(path.join(repoRoot, 'test/fixtures/feeds/incydr', file), 'utf8');
  return parseFeed('incydr', text).accepted.map((record) => record.signal);
}

const departing: WatchMembership = { list: 'departing', daysToLastDay: 12, daysSinceHire: null };
const newHire: WatchMembership = { list: 'new-hires', daysToLastDay: null, daysSinceHire: 5 };

describe('signal facts', () => {
  it('Dropbox file event is personal cloud', () => {
    const [dropbox] = corpusSignals('file-events-v2-search-endpoint-dropbox.json');
    expect(deriveSignalFacts(dropbox!)).toEqual([{ kind: 'personal_cloud', count: 1 }]);
  });

  it('Gmail file event is source code only', () => {
    const [, gmail] = corpusSignals('file-events-v2-search-saas-salesforce-gmail.json');
    // "Sent from corporate Gmail" is a corporate account, so it is no personal e-mail fact.
    expect(deriveSignalFacts(gmail!)).toEqual([{ kind: 'source_code', count: 1 }]);
  });

  it('session without matching indicators has none', () => {
    const [session] = corpusSignals('sessions-v1-page.json');
    expect(deriveSignalFacts(session!)).toEqual([]);
  });

  it('critical hash matches a file', () => {
    const hash = 'a'.repeat(64);
    const signal = makeSignal({
      indicators: [],
      destination: null,
      files: [
        {
          name: 'plan.pdf',
          path: null,
          sha256: hash,
          md5: null,
          category: 'Document',
          sizeBytes: 1,
        },
      ],
    });
    expect(deriveSignalFacts(signal, { criticalHashes: new Set([hash]) })).toEqual([
      { kind: 'critical_file', count: 1 },
    ]);
  });
});

describe('watch rules', () => {
  it('departing with removable media opens', () => {
    const decision = decideWatchAction([{ kind: 'removable_media', count: 340 }], [departing]);
    expect(decision.action).toBe('open');
    expect(watchPriority('low', decision)).toBe('high');
    expect(watchPriority('critical', decision)).toBe('critical');
  });

  it('new hire with source code raises one level', () => {
    const decision = decideWatchAction([{ kind: 'source_code', count: 3 }], [newHire]);
    expect(decision.action).toBe('raise');
    expect(watchPriority('medium', decision)).toBe('high');
  });

  it('strongest membership gives the reason', () => {
    const facts = [
      { kind: 'removable_media' as const, count: 2 },
      { kind: 'source_code' as const, count: 340 },
    ];
    const decision = decideWatchAction(facts, [newHire, departing]);
    expect(decision.action).toBe('open');
    expect(decision.reason).toEqual({
      list: 'departing',
      daysToLastDay: 12,
      daysSinceHire: null,
      facts,
    });
  });

  it('no membership or fact decides none', () => {
    expect(decideWatchAction([{ kind: 'source_code', count: 1 }], []).action).toBe('none');
    expect(decideWatchAction([], [departing]).action).toBe('none');
    expect(watchPriority('low', decideWatchAction([], [departing]))).toBe('low');
  });
});

describe('watch reason sentence', () => {
  it('describes source code copied to removable media', () => {
    const text = describeWatchReason(
      {
        action: 'open',
        list: 'departing',
        daysToLastDay: 12,
        daysSinceHire: null,
        facts: [
          { kind: 'removable_media', count: 2 },
          { kind: 'source_code', count: 340 },
        ],
      },
      'en',
    );
    expect(text).toBe('Departing in 12 days; 340 source-code files copied to removable media.');
  });

  it('describes a past last working day', () => {
    const text = describeWatchReason(
      {
        action: 'open',
        list: 'departing',
        daysToLastDay: -3,
        daysSinceHire: null,
        facts: [{ kind: 'personal_cloud', count: null }],
      },
      'en',
    );
    expect(text).toBe('Left 3 days ago; files uploaded to personal cloud storage.');
  });
});
