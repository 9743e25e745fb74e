import type { Memex } from '../api/memex.js';

/** The agent-memory half of the demo workload: each operation is counted once acknowledged. */
export interface MemoryTally {
  /** Messages appended to the one shared thread. */
  appends: number;
  profileUpdates: number;
  siteVisits: number;
  /** Cache keys this agent asked for (getOrSet computes each at most once, across all processes). */
  cacheKeys: string[];
  /** Increments done as a plain read-then-write inside an exclusive lock. */
  lockedIncrements: number;
}

export const SHARED_THREAD = 'shared-thread';
export const DEMO_USER = 'demo-user';
export const DEMO_SITE = 'https://www.example.com/shop';
export const CACHE_KEYS = 8;
export const LOCKS = 4;
export const lockedCounter = (i: number) => `locked-counter-${i}`;

export const newTally = (): MemoryTally => ({ appends: 0, profileUpdates: 0, siteVisits: 0, cacheKeys: [], lockedIncrements: 0 });

/** One agent-memory operation, chosen by `r` in [0, 1). */
export async function memoryStep(mx: Memex, agent: string, r: number, t: MemoryTally): Promise<void> {
  if (r < 0.3) {
    await mx.conversations.append(SHARED_THREAD, { role: 'user', content: `hello from ${agent}` });
    t.appends++;
  } else if (r < 0.5) {
    await mx.profiles.update<{ visits: number }>(DEMO_USER, (p) => ({ visits: (p?.visits ?? 0) + 1 }));
    t.profileUpdates++;
  } else if (r < 0.7) {
    await mx.sites.recordVisit(DEMO_SITE, { ok: r < 0.65, durationMs: Math.round(r * 1000) });
    t.siteVisits++;
  } else if (r < 0.95) {
    const key = `question-${Math.floor(((r - 0.7) / 0.25) * CACHE_KEYS)}`;
    await mx.cache.getOrSet({ prompt: key }, async () => {
      await mx.kv.update<number>('cache-computes', (n = 0) => n + 1);
      return { answer: `computed for ${key}` };
    });
    if (!t.cacheKeys.includes(key)) t.cacheKeys.push(key);
  } else {
    // Not atomic on its own: only the lock makes this read-then-write safe across processes.
    const i = Math.floor(((r - 0.95) / 0.05) * LOCKS);
    await mx.locks.withLock(`demo-lock-${i}`, async () => {
      const n = (await mx.kv.get<number>(lockedCounter(i))) ?? 0;
      await mx.kv.set(lockedCounter(i), n + 1);
    });
    t.lockedIncrements++;
  }
}
