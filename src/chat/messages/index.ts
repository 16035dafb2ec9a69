import { en } from './en.ts';
import { ja } from './ja.ts';

export { en, ja };

/** The keys of the message catalogue. English defines them; other locales translate a subset. */
export type MessageKey = keyof typeof en;

/** The names of the `{placeholders}` in a template string type. */
export type PlaceholderNames<Template extends string> =
  Template extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never;

/** The values a message needs, one per placeholder of its English template. */
export type MessageParams<Key extends MessageKey> = Record<
  PlaceholderNames<(typeof en)[Key]>,
  string | number
>;

/** Keys of messages without placeholders, for code that picks one of several such keys. */
export type PlainMessageKey = {
  [Key in MessageKey]: [PlaceholderNames<(typeof en)[Key]>] extends [never] ? Key : never;
}[MessageKey];

type ParamsArgument<Key extends MessageKey> = [PlaceholderNames<(typeof en)[Key]>] extends [never]
  ? []
  : [params: MessageParams<Key>];

/** A translation of some or all English messages; missing keys fall back to English. */
export type Catalogue = Partial<Record<MessageKey, string>>;

/** Locales with a catalogue. Add a file next to en.ts and list it here and in `catalogues`. */
export const locales = ['en', 'ja'] as const;
export type Locale = (typeof locales)[number];

const catalogues: Record<Locale, Catalogue> = { en, ja };

/** Replaces each `{name}` in `template` with its value; unknown placeholders stay as they are. */
export function fillTemplate(template: string, params: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : placeholder,
  );
}

/**
 * Builds a translator over `byLocale`: it looks a key up in the requested locale, falls back to
 * English when the locale or the key is missing, and fills the placeholders.
 */
export function createTranslator<L extends string>(byLocale: Record<L, Catalogue>) {
  return function translate<Key extends MessageKey>(
    locale: L,
    key: Key,
    ...params: ParamsArgument<Key>
  ): string {
    const template = byLocale[locale]?.[key] ?? en[key];
    return fillTemplate(template, params[0] ?? {});
  };
}

/** Returns the message `key` in `locale`, with its placeholders filled from `params`. */
export const t = createTranslator(catalogues);

/**
 * Builds a translator for a platform's own catalogue (such as the Slack and Teams command texts):
 * `english` defines the keys and placeholders, and other locales translate a subset.
 */
export function createCatalogueTranslator<English extends Record<string, string>>(
  english: English,
  byLocale: Partial<Record<Locale, Partial<Record<keyof English, string>>>> = {},
) {
  return function translate<Key extends keyof English & string>(
    locale: Locale,
    key: Key,
    ...params: [PlaceholderNames<English[Key]>] extends [never]
      ? []
      : [params: Record<PlaceholderNames<English[Key]>, string | number>]
  ): string {
    const template = byLocale[locale]?.[key] ?? english[key];
    return fillTemplate(template as string, params[0] ?? {});
  };
}

/**
 * Maps a platform's locale tag (Slack's `en-US`, Teams' `en-us`) to a supported locale, falling
 * back to English.
 */
export function resolveLocale(tag: string | null | undefined): Locale {
  const language = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return locales.find((locale) => locale === language) ?? 'en';
}

/**
 * Formats an ISO 8601 timestamp as `2025-03-04 10:00 UTC`. Every locale gets this form, so the
 * text does not depend on the ICU data Node was built with. Input that is not a valid date is
 * returned unchanged.
 */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
