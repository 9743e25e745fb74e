import { statfsSync } from 'node:fs';
import type { HealthCheck } from '../types.js';

/**
 * The `disk` health check: free space on the filesystem that holds the database, as the
 * platform reports it to an unprivileged process (`bavail`). Low space turns health red before
 * writes fail with `SQLITE_FULL`, so monitoring can act while the store still writes.
 */
export function diskCheck(dir: string, minFreeBytes: number): HealthCheck {
  const s = statfsSync(dir);
  const free = s.bavail * s.bsize;
  const total = s.blocks * s.bsize;
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  return {
    name: 'disk',
    ok: free >= minFreeBytes,
    detail: `${mib(free)} free of ${mib(total)} at ${dir} (not ok below ${mib(minFreeBytes)})`,
    value: free,
  };
}
