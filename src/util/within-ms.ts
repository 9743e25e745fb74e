import { LockTimeoutError } from '../errors.js';

/**
 * `p`, or a `LockTimeoutError` naming `what` once `ms` have passed — for a caller that joined
 * another's work (a cache computation) and keeps its own bound on the wait; the work goes on.
 */
export function withinMs<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LockTimeoutError(what, performance.now() - started)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
