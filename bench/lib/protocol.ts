import type { HistogramJSON } from './histogram.js';

/** What is being measured in one child process. */
export type Engine = 'memex' | 'raw' | 'naive';
export type Op = 'update' | 'get';
export type Durability = 'normal' | 'full';

/** Passed to bench/kv-child.ts as its only argument (JSON). */
export interface ChildConfig {
  readonly engine: Engine;
  readonly op: Op;
  /** Database file (memex, raw) or JSON document (naive). */
  readonly path: string;
  readonly durability: Durability;
  /** Concurrent async callers in this process (raw and naive are synchronous / one caller). */
  readonly callers: number;
  readonly durationMs: number;
  /** Index of this process in the phase (for private warm-up keys). */
  readonly index: number;
  /** get: JSON.parse the raw value too (what a real caller of the raw engine must do). */
  readonly parse?: boolean;
}

/** Printed by the child as one JSON line after the run. */
export interface ChildReport {
  readonly index: number;
  readonly pid: number;
  /** Acknowledged operations (resolved without error). */
  readonly ops: number;
  /** Failed calls by error code (they wrote nothing). */
  readonly errors: Record<string, number>;
  /** From 'go' until the last caller finished its last call. */
  readonly elapsedMs: number;
  /** Latency of every call, from call to resolve (or reject), in ms. */
  readonly latency: HistogramJSON;
  /** memex only: this process's engine counters during the timed run (`stats()` after minus before). */
  readonly memex?: {
    readonly writes: number;
    readonly commits: number;
    readonly lock: { acquisitions: number; waits: number; totalWaitMs: number; timeouts: number; busyRetries: number };
  };
}
