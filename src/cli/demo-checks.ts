import type { Memex } from '../api/memex.js';
import { DEMO_SITE, DEMO_USER, LOCKS, SHARED_THREAD, lockedCounter, type MemoryTally } from './demo-memory.js';

export interface DemoCheck {
  readonly name: string;
  readonly expected: number;
  readonly actual: number;
}

const sum = (ts: MemoryTally[], f: (t: MemoryTally) => number) => ts.reduce((n, t) => n + f(t), 0);

/** Acknowledged agent-memory operations (cache calls counted once per distinct key). */
export function memoryOps(t: MemoryTally): number {
  return t.appends + t.profileUpdates + t.siteVisits + t.cacheKeys.length + t.lockedIncrements;
}

/** What the stores hold must equal what the agents were told was done. */
export async function memoryChecks(mx: Memex, tallies: MemoryTally[]): Promise<DemoCheck[]> {
  const appends = sum(tallies, (t) => t.appends);
  const thread = await mx.conversations.get(SHARED_THREAD);
  const keys = new Set(tallies.flatMap((t) => t.cacheKeys));
  const lockedTotal = await mx.kv.getMany<number>(Array.from({ length: LOCKS }, (_, i) => lockedCounter(i)));
  return [
    { name: `${SHARED_THREAD} last seq = acknowledged appends`, expected: appends, actual: thread?.lastSeq ?? 0 },
    {
      name: `${SHARED_THREAD} messages kept = min(appends, maxMessagesPerThread)`,
      expected: Math.min(appends, 1000),
      actual: thread?.messageCount ?? 0,
    },
    {
      name: `profile ${DEMO_USER} visits = acknowledged updates`,
      expected: sum(tallies, (t) => t.profileUpdates),
      actual: (await mx.profiles.get<{ visits: number }>(DEMO_USER))?.visits ?? 0,
    },
    {
      name: 'site example.com visits = acknowledged recordVisit',
      expected: sum(tallies, (t) => t.siteVisits),
      actual: (await mx.sites.profile(DEMO_SITE))?.visits ?? 0,
    },
    { name: 'cache computes = distinct keys (single flight)', expected: keys.size, actual: (await mx.kv.get<number>('cache-computes')) ?? 0 },
    {
      name: 'locked counters = increments under the locks',
      expected: sum(tallies, (t) => t.lockedIncrements),
      actual: lockedTotal.reduce<number>((a, b) => a + (b ?? 0), 0),
    },
  ];
}
