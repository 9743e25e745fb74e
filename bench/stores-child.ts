/**
 * One process of the stores benchmarks: opens its store, warms up, prints `ready`, waits for `go`
 * on stdin, runs its workload and prints one JSON line (a StoresChildReport). Started by
 * bench/stores.ts as `node --import tsx bench/stores-child.ts '<StoresChildConfig JSON>'`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Memex, MemexStats } from '../src/index.js';
import { engineDelta, ready, report, Workload } from './lib/child.js';
import { ABSENT, cacheKey, cacheValue, message, openCache, openConversations, openKeyv, stringified, threadId } from './lib/stores-fixtures.js';
import type {
  CacheConfig,
  CoherenceWriterConfig,
  ConversationsConfig,
  StampedeConfig,
  StoresChildConfig,
  StoresChildReport,
} from './lib/stores-protocol.js';

const cfg = JSON.parse(process.argv[2] ?? '') as StoresChildConfig;
const work = new Workload(`${cfg.index} ${cfg.kind}${'engine' in cfg ? ` ${cfg.engine}` : ''}`);
type Out = Omit<StoresChildReport, 'index' | 'pid' | 'ops' | 'errors' | 'latency'>;

/** Random indexes, precomputed so the timed loops do not pay for Math.random. */
const randomOrder = (n: number) => Uint32Array.from({ length: 65_536 }, () => Math.floor(Math.random() * n));

/** Every store's counters (appends, trimmed, hits, misses, computes, lock waits, …) between two snapshots; unchanged ones left out. */
function storesDelta(before: MemexStats, after: MemexStats): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [store, a] of Object.entries(after.stores)) {
    const b: Record<string, number> = before.stores[store] ?? {};
    for (const [k, v] of Object.entries(a)) {
      const d = v - (b[k] ?? 0);
      if (k !== 'records' && d !== 0) (out[store] ??= {})[k] = d;
    }
  }
  return out;
}

async function timedMemex(mx: Memex, run: () => Promise<number>): Promise<Out> {
  const before = await mx.stats();
  await ready();
  const elapsedMs = await run();
  const after = await mx.stats();
  await mx.close();
  return { elapsedMs, memex: engineDelta(before, after), stores: storesDelta(before, after) };
}

async function conversations(c: ConversationsConfig): Promise<Out> {
  const mx = await openConversations(c.path, c.maxMessagesPerThread);
  // Warm-up on a private thread (its own trimming included), so the measured threads start as set up.
  const warm = `warm-${c.index}`;
  for (let i = 0; i < c.maxMessagesPerThread + 50 && i < 300; i++) await mx.conversations.append(warm, message(i));
  for (let i = 0; i < 2000; i++) await mx.conversations.recent(threadId(i % c.threads), c.recentLimit);
  const run =
    c.op === 'append'
      ? () => work.runAsync(c.callers, c.durationMs, (i) => mx.conversations.append(threadId(i % c.threads), message(i)))
      : () => work.runAsync(c.callers, c.durationMs, (i) => mx.conversations.recent(threadId(i % c.threads), c.recentLimit));
  return timedMemex(mx, run);
}

async function cache(c: CacheConfig): Promise<Out> {
  const base = c.op === 'hit' ? 0 : ABSENT;
  const order = randomOrder(c.warmKeys);
  const key = (i: number) => cacheKey(c.keys, base + (order[i & 65_535] ?? 0));
  const expectHit = c.op === 'hit';
  const check = (v: unknown) => {
    if ((v !== undefined) !== expectHit) throw new Error(`expected a ${c.op}, got ${v === undefined ? 'a miss' : 'a hit'}`);
  };
  if (c.engine === 'memex') {
    const mx = await openCache(c.path, c.maxEntries);
    for (let i = 0; i < 4000; i++) check(await mx.cache.get(key(i)));
    return timedMemex(mx, () => work.runAsync(1, c.durationMs, async (i) => check(await mx.cache.get(key(i)))));
  }
  if (c.engine === 'lru') {
    // Process-local: this process's own copy of the warm set.
    const lru = new LRUCache<string, ReturnType<typeof cacheValue>>({ max: c.maxEntries });
    for (let i = 0; i < c.warmKeys; i++) lru.set(stringified(cacheKey(c.keys, i)), cacheValue(i));
    for (let i = 0; i < 4000; i++) check(lru.get(stringified(key(i))));
    await ready();
    // Synchronous, as lru-cache is called.
    return { elapsedMs: work.runSync(c.durationMs, (i) => check(lru.get(stringified(key(i))))) };
  }
  const kv = openKeyv(c.path);
  for (let i = 0; i < 4000; i++) check(await kv.get(stringified(key(i))));
  await ready();
  const elapsedMs = await work.runAsync(1, c.durationMs, async (i) => check(await kv.get(stringified(key(i)))));
  await kv.disconnect();
  return { elapsedMs };
}

async function coherenceWriter(c: CoherenceWriterConfig): Promise<Out> {
  const start = performance.now();
  if (c.engine === 'memex') {
    const mx = await openCache(c.path, 10_000);
    await ready();
    await mx.cache.set(c.key, c.value);
    await mx.close();
  } else if (c.engine === 'keyv') {
    const kv = openKeyv(c.path);
    await kv.get(c.key);
    await ready();
    await kv.set(c.key, c.value);
    await kv.disconnect();
  } else {
    // A process-local cache: this process can only write to its own copy.
    const lru = new LRUCache<string, string>({ max: 10_000 });
    await ready();
    lru.set(c.key, c.value);
  }
  work.ops++;
  return { elapsedMs: performance.now() - start };
}

const now = () => performance.timeOrigin + performance.now();

async function stampede(c: StampedeConfig): Promise<Out> {
  const computes: { start: number; end: number }[] = [];
  const compute = async () => {
    const start = now();
    await sleep(c.computeMs);
    const end = now();
    computes.push({ start, end });
    return { computedBy: process.pid, at: start };
  };
  let ask: (key: string) => Promise<unknown>;
  let finish = async (): Promise<Partial<Out>> => ({});
  if (c.engine === 'memex') {
    const mx = await openCache(c.path, 10_000);
    // Warm-up: one single-flight compute and some hits on a private key.
    const warm = `warm:${c.index}`;
    await Promise.all(Array.from({ length: 4 }, () => mx.cache.getOrSet(warm, () => 1)));
    for (let i = 0; i < 200; i++) await mx.cache.get(warm);
    const before = await mx.stats();
    ask = (key) => mx.cache.getOrSet(key, compute);
    finish = async () => {
      const after = await mx.stats();
      await mx.close();
      return { memex: engineDelta(before, after), stores: storesDelta(before, after) };
    };
  } else {
    const lru = new LRUCache<string, { computedBy: number; at: number }>({ max: 1000, fetchMethod: () => compute() });
    await lru.fetch(`warm:${c.index}`);
    ask = (key) => lru.fetch(key);
  }
  const latenciesMs: number[] = [];
  const resolvedAt: number[] = [];
  const values = new Set<string>();
  await ready();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: c.callers }, async () => {
      const t0 = performance.now();
      try {
        values.add(JSON.stringify(await ask(c.key)));
        work.ops++;
      } catch (e) {
        work.fail(e);
      }
      const t1 = performance.now();
      work.hist.record(t1 - t0);
      latenciesMs.push(t1 - t0);
      resolvedAt.push(performance.timeOrigin + t1);
    }),
  );
  const elapsedMs = performance.now() - start;
  // Computes of the warm-up are not part of the stampede.
  const measured = computes.filter((x) => x.start >= performance.timeOrigin + start);
  return { elapsedMs, ...(await finish()), stampede: { latenciesMs, resolvedAt, computes: measured, values: [...values] } };
}

const out =
  cfg.kind === 'conversations'
    ? await conversations(cfg)
    : cfg.kind === 'cache'
      ? await cache(cfg)
      : cfg.kind === 'coherence-writer'
        ? await coherenceWriter(cfg)
        : await stampede(cfg);
const result: StoresChildReport = { ...work.result(cfg.index, out.elapsedMs), ...out };
report(result);
