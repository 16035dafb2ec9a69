import { z } from 'zod';

/** A string that vendors may leave out or send as null. */
export const optionalText = z.string().nullish();

/** A string that must hold more than white space, e.g. a record id; it is trimmed. */
export const requiredText = z.string().trim().min(1, 'must not be empty');

// Hex digits, or nothing, with the white space around them that normaliseHash trims. The group
// starts with a hex digit, so a long run of white space cannot make the match take quadratic time.
const sha256Pattern = /^\s*(?:[0-9a-fA-F]{64}\s*)?$/;
const md5Pattern = /^\s*(?:[0-9a-fA-F]{32}\s*)?$/;

/**
 * A file's SHA-256 in hex. Any other text than 64 hex digits is rejected. Null, absent and empty
 * are accepted, because vendors send null for files they could not hash.
 */
export const optionalSha256 = z
  .string()
  .refine((value) => sha256Pattern.test(value), 'is not a SHA-256 (64 hex digits)')
  .nullish();

/** A file's MD5 in hex: 32 hex digits, or null, absent or empty like `optionalSha256`. */
export const optionalMd5 = z
  .string()
  .refine((value) => md5Pattern.test(value), 'is not an MD5 (32 hex digits)')
  .nullish();
