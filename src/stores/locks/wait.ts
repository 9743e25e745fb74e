/**
 * Waiting between polls. Other processes can only be polled, so a waiter sleeps a short,
 * jittered, growing interval (2 ms up to 25 ms; at most 4 ms while it is first in line). Waiters
 * in this process are also woken at once when a holder in this process releases the same lock.
 */
export const MIN_POLL_MS = 2;
export const MAX_POLL_MS = 25;
/** Longest poll interval of a waiter that is next in line: the hand-over should be quick. */
export const HEAD_POLL_MS = 4;

/** Sleepers by lock (`ns \0 name`), in this process (every Memex instance of it). */
const sleepers = new Map<string, Set<() => void>>();

/** The next poll interval after `prev`, with ±25 % jitter so pollers do not move in lockstep. */
export function nextBackoff(prev: number, head: boolean): number {
  const cap = head ? HEAD_POLL_MS : MAX_POLL_MS;
  const grown = Math.min(cap, Math.max(MIN_POLL_MS, prev * 1.5));
  return Math.max(1, grown * (0.75 + Math.random() * 0.5));
}

export function lockKey(ns: string, name: string): string {
  return `${ns}\0${name}`;
}

/**
 * Sleeps `ms`, or less if {@link wake} is called for `key`. The wake-up function is also added to
 * `track` while it sleeps, so its owner can interrupt every sleeper (on dispose).
 */
export function nap(key: string, ms: number, track: Set<() => void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let set = sleepers.get(key);
    if (!set) sleepers.set(key, (set = new Set()));
    const mine = set;
    const done = (): void => {
      clearTimeout(timer);
      mine.delete(done);
      if (mine.size === 0 && sleepers.get(key) === mine) sleepers.delete(key);
      track.delete(done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    mine.add(done);
    track.add(done);
  });
}

/** Wakes every waiter of `key` in this process (a holder here just released it). */
export function wake(key: string): void {
  const set = sleepers.get(key);
  if (set) for (const done of [...set]) done();
}
