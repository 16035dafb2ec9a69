import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type FeedName, feedNames } from '../../src/config.ts';
import { parseFeed } from '../../src/feeds/parse-feed.ts';

const directory = new URL('../../examples/detections/', import.meta.url);

/** Lists every sample file except the README, with the feed its name starts with. */
function sampleFiles(): { file: string; feed: FeedName }[] {
  return readdirSync(directory)
    .filter((file) => file !== 'README.md')
    .map((file) => {
      const feed = feedNames.find((name) => file.startsWith(`${name}-`));
      if (feed === undefined) throw new Error(`${file} does not start with a feed name`);
      return { file, feed };
    });
}

function parseSample(file: string, feed: FeedName) {
  return parseFeed(feed, readFileSync(new URL(file, directory), 'utf8'));
}

describe('demo sample detections', () => {
  it('covers every feed', () => {
    expect(new Set(sampleFiles().map((sample) => sample.feed))).toEqual(new Set(feedNames));
  });

  it.each(sampleFiles())('$file parses without rejections', ({ file, feed }) => {
    const result = parseSample(file, feed);

    expect(result.rejected).toEqual([]);
    expect(result.accepted.length).toBeGreaterThan(0);
  });

  it('names the expected subjects', () => {
    const subjects = sampleFiles().flatMap(({ file, feed }) =>
      parseSample(file, feed).accepted.map((record) => `${feed}:${record.signal.subject.email}`),
    );

    expect(subjects.sort()).toEqual([
      'exabeam:contractor.x@example.org',
      'exabeam:lee.chen@example.com',
      'incydr:dana.lee@example.com',
      'incydr:lee.chen@example.com',
      'purview:dana.lee@example.com',
      'webhook:contractor.x@example.org',
      'webhook:lee.chen@example.com',
      'webhook:sam.ortiz@example.com',
    ]);
  });

  it('gives Dana signals from two feeds', () => {
    const incydr = parseSample('incydr-sessions.json', 'incydr').accepted[0]?.signal;
    const purview = parseSample('purview-alerts.json', 'purview').accepted[0]?.signal;

    expect(incydr?.subject.email).toBe('dana.lee@example.com');
    expect(incydr?.severity).toBe('critical');
    expect(purview?.subject.email).toBe('dana.lee@example.com');
    expect(purview?.severity).toBe('high');
  });
});
