import { readFileSync, statSync } from 'node:fs';

/**
 * How many lock requests the kernel has queued (blocked, waiting for a holder) on byte `offset` of
 * `file`, read from Linux's /proc/locks, where each blocked request is listed under the lock it
 * waits for with a `->` mark: `5: -> OFDLCK ADVISORY WRITE -1 fe:00:2147620 4096 4096`. It shows
 * that a waiter is queued in the kernel, which polling never is.
 */
export function kernelWaiters(file: string, offset: number): number {
  const { ino, dev } = statSync(file);
  // /proc/locks names the device as major:minor in hex; Linux packs them into st_dev like this.
  const major = ((dev >> 8) & 0xfff).toString(16).padStart(2, '0');
  const minor = ((dev & 0xff) | ((dev >> 12) & 0xfff00)).toString(16).padStart(2, '0');
  const where = new RegExp(`^\\d+: -> \\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+${major}:${minor}:${ino}\\s+${offset}\\s+${offset}$`);
  return readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .filter((line) => where.test(line.trim())).length;
}
