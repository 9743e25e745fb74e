/**
 * Helpers of the kv conformance suite (suite.ts), which `memexConformance` runs against every
 * target. The factory opens a fresh, empty store per call; `memexConformance` closes what it
 * opened and cleans the target up after each test.
 */
import { expect } from 'vitest';
import {
  ConflictError,
  MemexError,
  ValidationError,
  type KvEntry,
  type KvStore,
  type Memex,
  type MemexErrorCode,
  type MemexScope,
} from '../../index.js';
import { ManualClock } from '../clock.js';

export interface KvFactoryOptions {
  /** Source of "now" (Unix ms) for TTLs and timestamps. */
  clock?: () => number;
  /** Largest value accepted, in bytes of serialized JSON. */
  maxValueBytes?: number;
  /** Change-feed retention. */
  events?: { maxEvents?: number };
}

export interface KvFixture {
  /** A fresh, empty, open store. */
  mx: Memex;
  /** Closes the current instance and opens the same storage again (engines that persist). */
  reopen?: () => Promise<Memex>;
}

export type KvFactory = (opts?: KvFactoryOptions) => Promise<KvFixture>;

// ---------------------------------------------------------------------------------------------
// helpers

/** The rejection of `p`; fails the test if `p` resolves. */
export async function caught(p: Promise<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await p;
  } catch (e) {
    return e;
  }
  throw new Error(`expected a rejection, but the call resolved with ${JSON.stringify(value)}`);
}

export type ErrorClass = abstract new (...args: never[]) => MemexError;

export async function rejectsWith<E extends MemexError>(p: Promise<unknown>, cls: ErrorClass, code: MemexErrorCode, label = ''): Promise<E> {
  const e = await caught(p);
  expect(e, label).toBeInstanceOf(cls);
  expect((e as MemexError).code, label).toBe(code);
  return e as E;
}

export const conflict = (p: Promise<unknown>, label?: string) => rejectsWith<ConflictError>(p, ConflictError, 'version_conflict', label);
export const invalid = (p: Promise<unknown>, label?: string) => rejectsWith<ValidationError>(p, ValidationError, 'invalid_input', label);

export function must<T>(v: T | undefined | null, what = 'value'): T {
  expect(v, `${what} should be present`).not.toBeUndefined();
  expect(v, `${what} should be present`).not.toBeNull();
  return v as T;
}

/** Every visible entry of `kv` (optionally under `prefix`), paging with `limit`. */
export async function listAll(kv: KvStore, prefix?: string, limit = 1000): Promise<KvEntry[]> {
  const out: KvEntry[] = [];
  let cursor: string | undefined;
  for (let pages = 0; ; pages++) {
    expect(pages, 'list paging must terminate').toBeLessThan(100_000);
    const page = await kv.list({ ...(prefix !== undefined ? { prefix } : {}), limit, ...(cursor !== undefined ? { cursor } : {}) });
    out.push(...page.items);
    if (page.cursor === undefined) return out;
    cursor = page.cursor;
  }
}

export const keysOf = (entries: readonly KvEntry[]) => entries.map((e) => e.key);

/** What must not change when a call "writes nothing": every listed record and the event feed. */
export async function snapshot(mx: Memex, namespaces: readonly string[] = []): Promise<unknown> {
  const scopes: MemexScope[] = [mx, ...namespaces.map((n) => mx.scope(n))];
  const data: unknown[] = [];
  for (const s of scopes) data.push(await listAll(s.kv));
  return { lastSeq: await mx.events.lastSeq(), events: await mx.events.since(0, { limit: 10_000 }), data };
}

/** A promise that resolves once `check()` holds; call `poke()` whenever the state may have changed. */
export function waitFor(check: () => boolean): { promise: Promise<void>; poke: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const poke = () => {
    if (check()) resolve();
  };
  return { promise, poke };
}

export const isDeeplyFrozen = (v: unknown): boolean =>
  v === null || typeof v !== 'object' ? true : Object.isFrozen(v) && Object.values(v).every(isDeeplyFrozen);

/** What every part of the suite receives from `kvConformance`. */
export interface KvSuiteEnv {
  /** A fresh, empty, open store. */
  open: (opts?: KvFactoryOptions) => Promise<Memex>;
  /** A fresh store on a manual clock. */
  withClock: (extra?: Omit<KvFactoryOptions, 'clock'>) => Promise<{ mx: Memex; kv: KvStore; clock: ManualClock }>;
  factory: KvFactory;
}

export function suiteEnv(factory: KvFactory): KvSuiteEnv {
  const open = async (opts?: KvFactoryOptions) => (await factory(opts)).mx;
  const withClock = async (extra?: Omit<KvFactoryOptions, 'clock'>) => {
    const clock = new ManualClock();
    const mx = await open({ ...extra, clock: clock.now });
    return { mx, kv: mx.kv, clock };
  };
  return { open, withClock, factory };
}
