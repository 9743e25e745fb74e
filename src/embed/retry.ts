/**
 * Backoff arithmetic for the HTTP embedders. Pure functions (randomness passed in) so the
 * schedule can be tested without waiting.
 */

/**
 * Delay before retry number `attempt` (0 for the first retry): `base * 2^attempt`, capped at
 * `max`, then "equal jitter" — half fixed, half random — so clients that failed together do not
 * come back together, yet every client still waits at least half the nominal delay.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const nominal = Math.min(maxMs, baseMs * 2 ** attempt);
  return nominal / 2 + random() * (nominal / 2);
}

/**
 * How long a server asked us to wait, in ms, from `retry-after-ms` (OpenAI's extension) or
 * `Retry-After` (delay-seconds or an HTTP date); `undefined` when absent or unreadable, in
 * which case the caller falls back to exponential backoff.
 */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms);
  const v = headers.get('retry-after');
  if (v === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether an HTTP status is worth retrying: rate limited, or a server-side failure. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
