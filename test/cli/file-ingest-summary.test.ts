import { describe, expect, it } from 'vitest';
import { formatFileIngestSummary } from '../../src/cli/files-commands.ts';
import type { FileIngestSummary } from '../../src/files/ingest-file-events.ts';

function summaryWith(rejectedCount: number, listed: number): FileIngestSummary {
  return {
    accepted: 3,
    suppressed: 0,
    matchedCritical: 0,
    duplicates: 0,
    throttled: 0,
    rejectedCount,
    rejected: Array.from({ length: listed }, (_, index) => ({
      index,
      reason: `line ${index + 1} is not valid JSON`,
    })),
    casesOpened: 0,
    casesUpdated: 0,
  };
}

describe('the file ingest summary', () => {
  it('lists 20 rejections, counts the rest', () => {
    const text = formatFileIngestSummary(summaryWith(2_500, 1_000));
    expect(text).toContain('rejected 2500');
    expect(text).toContain('  record 19: line 20 is not valid JSON');
    expect(text).not.toContain('record 20:');
    expect(text).toContain('  … and 2480 more; --json lists the first 1,000 rejected records');
  });

  it('lists all of 20 or fewer', () => {
    const text = formatFileIngestSummary(summaryWith(2, 2));
    expect(text).toContain('  record 1: line 2 is not valid JSON');
    expect(text).not.toContain('more;');
  });
});
