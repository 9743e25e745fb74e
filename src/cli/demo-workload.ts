import { ConflictError, LockTimeoutError } from '../errors.js';
import type { Memex } from '../api/memex.js';
import { memoryStep, newTally, type MemoryTally } from './demo-memory.js';
import { rng } from '../util/rng.js';

/** What one agent (a process's worker thread) does, and what it reports back. */
export interface WorkloadConfig {
  readonly agent: string;
  readonly callers: number;
  readonly durationMs: number;
  readonly sharedKeys: number;
  readonly accounts: number;
  readonly seed: number;
}

export interface WorkloadResult {
  readonly agent: string;
  /** Acknowledged `update` increments per shared counter key. */
  readonly increments: Record<string, number>;
  /** Acknowledged transactions (each moves 1 between two accounts and bumps `txn-count`). */
  readonly transactions: number;
  /** Acknowledged setMany batches; batch numbers are issued in order, so the stored one is the highest acknowledged. */
  readonly batches: number;
  readonly lastBatch: number;
  readonly reads: number;
  /** Conversations, profiles, sites, cache and locks. */
  readonly memory: MemoryTally;
  /** Operations that failed with LockTimeoutError (nothing written). */
  readonly timeouts: number;
  readonly elapsedMs: number;
}

export const sharedKey = (i: number) => `shared:${i}`;
export const accountKey = (i: number) => `account:${i}`;
export const INITIAL_BALANCE = 1000;

/**
 * Several concurrent async callers mixing `update` on shared keys, `setMany` on private keys,
 * `transaction` across shared accounts, `getMany`, and agent memory (conversations, profiles,
 * sites, cache, locks), until the time is up.
 */
export async function runWorkload(mx: Memex, cfg: WorkloadConfig): Promise<WorkloadResult> {
  const random = rng(cfg.seed);
  const increments: Record<string, number> = {};
  let transactions = 0;
  let batches = 0;
  let issuedBatch = 0;
  let lastBatch = 0;
  let reads = 0;
  const memory = newTally();
  let timeouts = 0;
  const start = performance.now();
  const end = start + cfg.durationMs;
  const pick = (n: number) => Math.floor(random() * n);

  const step = async (): Promise<void> => {
    const r = random();
    if (r >= 0.7) {
      await memoryStep(mx, cfg.agent, (r - 0.7) / 0.3, memory);
    } else if (r < 0.3) {
      const key = sharedKey(pick(cfg.sharedKeys));
      await mx.kv.update<number>(key, (n = 0) => n + 1);
      increments[key] = (increments[key] ?? 0) + 1;
    } else if (r < 0.45) {
      const from = accountKey(pick(cfg.accounts));
      const to = accountKey(pick(cfg.accounts));
      await mx.kv.transaction((tx) => {
        tx.update<number>(from, (b = INITIAL_BALANCE) => b - 1);
        tx.update<number>(to, (b = INITIAL_BALANCE) => b + 1);
        tx.update<number>('txn-count', (n = 0) => n + 1);
      });
      transactions++;
    } else if (r < 0.55) {
      const n = ++issuedBatch;
      await mx.kv.setMany([
        { key: `private:${cfg.agent}:batch`, value: n },
        { key: `private:${cfg.agent}:note`, value: { batch: n, at: Date.now() } },
      ]);
      batches++;
      lastBatch = Math.max(lastBatch, n);
    } else {
      await mx.kv.getMany([sharedKey(pick(cfg.sharedKeys)), 'txn-count']);
      reads++;
    }
  };

  const caller = async () => {
    while (performance.now() < end) {
      try {
        await step();
      } catch (e) {
        if (e instanceof LockTimeoutError) timeouts++;
        else if (!(e instanceof ConflictError)) throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.callers }, caller));
  return { agent: cfg.agent, increments, transactions, batches, lastBatch, reads, memory, timeouts, elapsedMs: performance.now() - start };
}
