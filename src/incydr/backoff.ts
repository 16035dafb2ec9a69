/** Maximum wait that a Retry-After header can impose; a longer delay is cut to this. */
export const maxRetryAfterMs = 300_000;

/**
 * Reads a Retry-After header (delay-seconds or an HTTP date, RFC 9110 section 10.2.3) as a delay
 * in milliseconds; null when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, maxRetryAfterMs);

  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at - now, 0), maxRetryAfterMs);
}

/**
 * Returns the wait before retry number `attempt` (from 0): exponential backoff with full jitter,
 * a random delay between 0 and min(maxMs, baseMs * 2^attempt).
 */
export function backoffDelay(
  attempt: number,
  options: { baseMs: number; maxMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}
