import type { SignalSubject } from './signal.ts';

// A deliberately loose check, because feeds send UPNs as well as mail addresses. Only text that
// cannot be an address at all (no "@", no dot in the domain, spaces) is dropped: "test@.com".
const emailPattern = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

type Text = string | null | undefined;

/** Returns the lower-cased address, or null when `value` is empty or not an e-mail address. */
export function normaliseEmail(value: Text): string | null {
  const email = value?.trim().toLowerCase() ?? '';
  return emailPattern.test(email) ? email : null;
}

/** Returns true when `value` looks like an e-mail address or UPN. */
export function isEmail(value: Text): boolean {
  return normaliseEmail(value) !== null;
}

/**
 * Builds a subject from what a feed sends. E-mail and ids are lower-cased and empty ids dropped.
 * Returns null when neither a valid e-mail address nor an id remains, since intake cannot match
 * such a subject to anyone.
 */
export function buildSubject(fields: {
  email?: Text;
  ids?: readonly Text[];
  displayName?: Text;
}): SignalSubject | null {
  const email = normaliseEmail(fields.email);
  const externalIds: string[] = [];
  for (const id of fields.ids ?? []) {
    const normalised = id?.trim().toLowerCase() ?? '';
    if (normalised !== '' && !externalIds.includes(normalised)) externalIds.push(normalised);
  }
  if (email === null && externalIds.length === 0) return null;

  const displayName = fields.displayName?.trim() || null;
  return { email, externalIds, displayName };
}

/**
 * Trims and lower-cases a hash that the feed's schema has checked to be hex. Vendors send null for
 * files they could not hash, so null, absent and empty become null.
 */
export function normaliseHash(value: Text): string | null {
  const hash = value?.trim().toLowerCase() ?? '';
  return hash === '' ? null : hash;
}

/** Returns the distinct non-empty strings in order. */
export function distinct(values: readonly Text[]): string[] {
  const result: string[] = [];
  for (const value of values) {
    const text = value?.trim() ?? '';
    if (text !== '' && !result.includes(text)) result.push(text);
  }
  return result;
}
