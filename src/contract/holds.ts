import type { MemexScope } from '../api/memex.js';

/**
 * What the server keeps for remote callers between requests: lock leases a client renews, and
 * `getOrSet` computations a client runs. Each is bound to the namespace it was made in.
 */
export interface Holds {
  acquire(scope: MemexScope, name: unknown, options: unknown): Promise<{ leaseId: string; token: number; waitedMs: number }>;
  renew(ns: string, leaseId: unknown): Promise<boolean>;
  release(ns: string, leaseId: unknown): Promise<boolean>;
  claim(scope: MemexScope, key: unknown, options: unknown): Promise<{ hit: true; value: unknown } | { hit: false; claimId: string }>;
  fulfil(ns: string, claimId: unknown, value: unknown): Promise<unknown>;
  fail(ns: string, claimId: unknown, error: unknown): Promise<void>;
}
