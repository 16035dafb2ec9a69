import { describe, expect, it } from 'vitest';
import { en, ja, locales, resolveLocale, t } from '../../src/chat/messages/index.ts';
import { slackEn } from '../../src/chat/slack/messages.ts';
import { slackJa } from '../../src/chat/slack/messages-ja.ts';
import { teamsEn } from '../../src/chat/teams/messages.ts';
import { teamsJa } from '../../src/chat/teams/messages-ja.ts';
import { buildCaseView } from '../../src/chat/view-model.ts';
import { makeViewInput } from './view-fixtures.ts';

/** The sorted `{placeholder}` names of a template. */
function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

const catalogues: Record<(typeof locales)[number], Record<string, string>> = { en, ja };

describe('Japanese catalogue', () => {
  it('lists ja as a locale', () => {
    expect(locales).toContain('ja');
    expect(resolveLocale('ja-JP')).toBe('ja');
  });

  it('has every English key', () => {
    const missing = Object.keys(en).filter((key) => !Object.hasOwn(ja, key));
    expect(missing).toEqual([]);
  });

  it('has no key English lacks', () => {
    const extra = Object.keys(ja).filter((key) => !Object.hasOwn(en, key));
    expect(extra).toEqual([]);
  });

  it.each(Object.keys(en))('keeps the placeholders of %s', (key) => {
    for (const locale of locales) {
      const template = catalogues[locale][key];
      expect(template, `${locale} ${key}`).toBeDefined();
      expect(placeholders(template!), `${locale} ${key}`).toEqual(
        placeholders(en[key as keyof typeof en]),
      );
    }
  });

  it('translates every text', () => {
    // Only texts that are pure notation may equal English.
    const notation = new Set(['subject.identity', 'files.where.line']);
    const untranslated = Object.keys(en).filter(
      (key) => !notation.has(key) && ja[key as keyof typeof ja] === en[key as keyof typeof en],
    );
    expect(untranslated).toEqual([]);
  });

  it('renders the manager notice in Japanese', () => {
    const view = buildCaseView(makeViewInput({ state: 'manager_notice' }), 'manager', 'ja');
    expect(view.headline).toBe(t('ja', 'manager.headline', { name: 'Dana Lee' }));
    expect(view.banners[0]).toContain('面談をお願いいたします');
    expect(view.actions.map((action) => action.label)).toEqual(['確認しました']);
  });
});

describe.each([
  { name: 'Slack', english: slackEn, japanese: slackJa },
  { name: 'Teams', english: teamsEn, japanese: teamsJa },
])('$name command texts in Japanese', ({ english, japanese }) => {
  it('have every English key', () => {
    expect(Object.keys(japanese).sort()).toEqual(Object.keys(english).sort());
  });

  it('keep the placeholders', () => {
    for (const [key, template] of Object.entries(english)) {
      const translated = (japanese as Record<string, string>)[key] ?? '';
      expect(placeholders(translated), key).toEqual(placeholders(template));
    }
  });
});
