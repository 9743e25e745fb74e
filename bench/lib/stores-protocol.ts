import type { ChildReport } from './protocol.js';

/** Which cache implementation a cache child measures. */
export type CacheEngine = 'memex' | 'lru' | 'keyv';
/** Plain string keys, or JSON-object keys (the shape of an LLM response cache key). */
export type KeyKind = 'string' | 'json';

/** One process of a conversations phase (bench/stores-child.ts). */
export interface ConversationsConfig {
  readonly kind: 'conversations';
  readonly op: 'append' | 'recent';
  readonly path: string;
  readonly index: number;
  readonly callers: number;
  readonly durationMs: number;
  /** Threads the calls rotate over (`thread-0` …). */
  readonly threads: number;
  /** The policy this process opens with (trimming is active once a thread holds this many). */
  readonly maxMessagesPerThread: number;
  /** recent: how many messages each read asks for. */
  readonly recentLimit: number;
}

/** One process of a cache throughput phase. */
export interface CacheConfig {
  readonly kind: 'cache';
  readonly engine: CacheEngine;
  readonly op: 'hit' | 'miss';
  readonly keys: KeyKind;
  /** memex: its database; keyv: its SQLite file; lru: unused (process-local). */
  readonly path: string;
  readonly index: number;
  readonly durationMs: number;
  /** Keys present in the cache (hits draw from them at random). */
  readonly warmKeys: number;
  /** memex `cache.maxEntries`, lru-cache `max`. */
  readonly maxEntries: number;
}

/** A process that writes one new value and exits: the other side of the coherence probe. */
export interface CoherenceWriterConfig {
  readonly kind: 'coherence-writer';
  readonly engine: CacheEngine;
  readonly path: string;
  readonly index: number;
  readonly durationMs: 0;
  readonly key: string;
  readonly value: string;
}

/** One process of a `getOrSet` stampede: `callers` callers ask for one missing key at once. */
export interface StampedeConfig {
  readonly kind: 'stampede';
  /** memex `cache.getOrSet`, or lru-cache `fetch()` with a `fetchMethod` (single flight per process only). */
  readonly engine: 'memex' | 'lru';
  readonly path: string;
  readonly index: number;
  readonly durationMs: 0;
  readonly callers: number;
  readonly key: string;
  readonly computeMs: number;
}

export type StoresChildConfig = ConversationsConfig | CacheConfig | CoherenceWriterConfig | StampedeConfig;

/** What one stampede process saw, with absolute times (`performance.timeOrigin + performance.now()`, ms). */
export interface StampedeReport {
  /** Each caller's latency, from its call to its resolve (or reject), ms. */
  readonly latenciesMs: number[];
  /** When each caller's call resolved (absolute ms). */
  readonly resolvedAt: number[];
  /** Every compute this process ran: absolute start and end (when its promise resolved). */
  readonly computes: { readonly start: number; readonly end: number }[];
  /** The distinct values the callers got (JSON), to check everyone got the one computed value. */
  readonly values: string[];
}

/** Printed by bench/stores-child.ts as its one JSON line. */
export interface StoresChildReport extends ChildReport {
  /** memex: this process's counters per store (`conversations`, `cache`, `locks`, …) during the timed run (after minus before). */
  readonly stores?: Record<string, Record<string, number>>;
  readonly stampede?: StampedeReport;
}
