/**
 * The kv model of test/model/kv-model.test.ts: a plain Map per namespace (value, the version the
 * real store returned, updatedAt, expiresAt), and the commands fast-check runs against both it and
 * a real store. After every command the real answers must equal the model's.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { ConflictError, type KvEntry, type KvStore } from '../../src/index.js';
import type { ManualClock } from '../../src/testing/clock.js';
import type { Harness } from './kv-openers.js';

export const NAMESPACES = ['default', 'm'] as const;
export type Ns = (typeof NAMESPACES)[number];
// Keys whose UTF-16 order equals their UTF-8 byte order, so sorting the model is unambiguous.
export const KEYS = ['a', 'ab', 'abc', 'b', 'b/1', 'é', 'z'] as const;
export const PREFIXES = ['', 'a', 'ab', 'abc', 'b', 'b/', 'é', 'q'] as const;
export const TTLS = [50, 200, 1000] as const;
export const ADVANCES = [1, 49, 50, 150, 500, 1000] as const;
export const LIMITS = [1, 2, 3, 100] as const;

export interface Rec {
  value: unknown;
  version: number;
  updatedAt: number;
  expiresAt: number | null;
  /**
   * Only meaningful once the record has expired: `sure` = nothing touched it since, so a sweep
   * must purge it; `maybe` = a delete / clear / update met it after it expired, which an engine
   * may use to remove it early (it is invisible either way).
   */
  phys: 'sure' | 'maybe';
}

export interface Model {
  now: number;
  maxVersion: number;
  data: Record<Ns, Map<string, Rec>>;
}

export interface Real {
  /** The handles under test (replaced by a reopen). */
  h: Harness;
  clock: ManualClock;
}

export type VMode = 'none' | 'match' | 'stale' | 'zero';

export const isLive = (m: { now: number }, r: Rec | undefined): boolean => r !== undefined && (r.expiresAt === null || r.expiresAt > m.now);
export const live = (m: Model, ns: Ns, key: string): Rec | undefined => {
  const r = m.data[ns].get(key);
  return r !== undefined && isLive(m, r) ? r : undefined;
};
export const kvOf = (r: Real, ns: Ns, mx = r.h.mx): KvStore => (ns === 'default' ? mx.kv : mx.scope(ns).kv);
/** What a JSON round trip makes of a value (-0 becomes 0, …). */
export const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
export const entryView = (key: string, r: Rec) => ({ key, value: r.value, version: r.version, updatedAt: r.updatedAt, expiresAt: r.expiresAt });
export const realView = (e: KvEntry) => ({ key: e.key, value: e.value, version: e.version, updatedAt: e.updatedAt, expiresAt: e.expiresAt });

/** The ifVersion a command passes, computed from the model at run time. */
export function ifVersionFor(m: Model, ns: Ns, key: string, mode: VMode): number | undefined {
  const cur = live(m, ns, key);
  switch (mode) {
    case 'none':
      return undefined;
    case 'zero':
      return 0;
    case 'match':
      return cur?.version ?? 0;
    case 'stale': {
      if (cur) return cur.version - 1;
      // An expired record's version must not match (it counts as absent); else a never-used one.
      return m.data[ns].get(key)?.version ?? m.maxVersion + 1;
    }
  }
}

export const matches = (m: Model, ns: Ns, key: string, ifVersion: number | undefined) =>
  ifVersion === undefined || ifVersion === (live(m, ns, key)?.version ?? 0);

export function newVersion(m: Model, version: number): number {
  expect(Number.isSafeInteger(version)).toBe(true);
  expect(version, 'versions strictly increase across the store').toBeGreaterThan(m.maxVersion);
  m.maxVersion = version;
  return version;
}

/** A delete / clear / update-to-undefined that meets an expired record may remove it early. */
export function touchExpired(m: Model, ns: Ns, key: string): void {
  const r = m.data[ns].get(key);
  if (r && !isLive(m, r)) r.phys = 'maybe';
}

export async function checkKey(m: Model, r: Real, ns: Ns, key: string): Promise<void> {
  const kv = kvOf(r, ns);
  const rec = live(m, ns, key);
  const e = await kv.getEntry(key);
  expect(e ? realView(e) : undefined, `${ns}:${key}`).toEqual(rec ? entryView(key, rec) : undefined);
}

export async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection, but the call resolved');
}

export type Cmd = fc.AsyncCommand<Model, Real, false>;

/** Versions above this are the remote client's provisional ones (see TxCmd). */
export const PROVISIONAL_FROM = Number.MAX_SAFE_INTEGER - 1_000_000;

// ---------------------------------------------------------------------------------------------
// commands

export class SetCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly key: string,
    readonly value: unknown,
    readonly ttlMs: number | undefined,
    readonly mode: VMode,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const ifVersion = ifVersionFor(m, this.ns, this.key, this.mode);
    const opts = { ...(this.ttlMs !== undefined ? { ttlMs: this.ttlMs } : {}), ...(ifVersion !== undefined ? { ifVersion } : {}) };
    const p = kvOf(r, this.ns).set(this.key, this.value, opts);
    if (matches(m, this.ns, this.key, ifVersion)) {
      const { version } = await p;
      m.data[this.ns].set(this.key, {
        value: norm(this.value),
        version: newVersion(m, version),
        updatedAt: m.now,
        expiresAt: this.ttlMs === undefined ? null : m.now + this.ttlMs,
        phys: 'sure',
      });
    } else {
      expect(await caught(p)).toBeInstanceOf(ConflictError);
    }
    await checkKey(m, r, this.ns, this.key);
  }
  toString = () => `set(${this.ns}:${this.key}, ${JSON.stringify(this.value)}, ttl=${this.ttlMs}, ${this.mode})`;
}

export class DeleteCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly key: string,
    readonly mode: VMode,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const ifVersion = ifVersionFor(m, this.ns, this.key, this.mode);
    const p = kvOf(r, this.ns).delete(this.key, ifVersion === undefined ? undefined : { ifVersion });
    if (matches(m, this.ns, this.key, ifVersion)) {
      const existed = live(m, this.ns, this.key) !== undefined;
      expect(await p).toBe(existed);
      if (existed) m.data[this.ns].delete(this.key);
      else touchExpired(m, this.ns, this.key);
    } else {
      expect(await caught(p)).toBeInstanceOf(ConflictError);
    }
    await checkKey(m, r, this.ns, this.key);
  }
  toString = () => `delete(${this.ns}:${this.key}, ${this.mode})`;
}

export type UpdateAction = { kind: 'value'; value: unknown } | { kind: 'delete' } | { kind: 'throw' };

export class UpdateCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly key: string,
    readonly action: UpdateAction,
    readonly ttlMs: number | undefined,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const cur = live(m, this.ns, this.key);
    const seen: unknown[] = [];
    const boom = new Error('fn failed');
    const fn = (c: unknown) => {
      seen.push(c);
      if (this.action.kind === 'throw') throw boom;
      return this.action.kind === 'value' ? this.action.value : undefined;
    };
    const p = kvOf(r, this.ns).update(this.key, fn, this.ttlMs === undefined ? undefined : { ttlMs: this.ttlMs });
    if (this.action.kind === 'throw') {
      expect(await caught(p)).toBe(boom);
    } else {
      const out = await p;
      if (this.action.kind === 'delete') {
        expect(out).toBeUndefined();
        if (cur) m.data[this.ns].delete(this.key);
        else touchExpired(m, this.ns, this.key);
      } else {
        expect(out).toEqual(norm(this.action.value));
        const e = await kvOf(r, this.ns).getEntry(this.key);
        expect(e).toBeDefined();
        m.data[this.ns].set(this.key, {
          value: norm(this.action.value),
          version: newVersion(m, e?.version ?? 0),
          updatedAt: m.now,
          expiresAt: this.ttlMs !== undefined ? m.now + this.ttlMs : (cur?.expiresAt ?? null),
          phys: 'sure',
        });
      }
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const c of seen) expect(c).toEqual(cur?.value);
    await checkKey(m, r, this.ns, this.key);
  }
  toString = () => `update(${this.ns}:${this.key}, ${JSON.stringify(this.action)}, ttl=${this.ttlMs})`;
}

export class GetCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly key: string,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const kv = kvOf(r, this.ns);
    const rec = live(m, this.ns, this.key);
    expect(await kv.get(this.key)).toEqual(rec?.value);
    expect(await kv.has(this.key)).toBe(rec !== undefined);
    await checkKey(m, r, this.ns, this.key);
  }
  toString = () => `get(${this.ns}:${this.key})`;
}

export class GetManyCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly keys: string[],
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const got = await kvOf(r, this.ns).getMany(this.keys);
    expect(got).toEqual(this.keys.map((k) => live(m, this.ns, k)?.value));
  }
  toString = () => `getMany(${this.ns}:${JSON.stringify(this.keys)})`;
}

export interface BatchEntry {
  key: string;
  value: unknown;
  ttlMs: number | undefined;
  mode: VMode;
}

export class SetManyCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly entries: BatchEntry[],
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const prepared = this.entries.map((e) => ({ ...e, ifVersion: ifVersionFor(m, this.ns, e.key, e.mode) }));
    const ok = prepared.every((e) => matches(m, this.ns, e.key, e.ifVersion));
    const p = kvOf(r, this.ns).setMany(
      prepared.map((e) => ({
        key: e.key,
        value: e.value,
        ...(e.ttlMs !== undefined ? { ttlMs: e.ttlMs } : {}),
        ...(e.ifVersion !== undefined ? { ifVersion: e.ifVersion } : {}),
      })),
    );
    if (ok) {
      const { versions } = await p;
      expect(versions).toHaveLength(prepared.length);
      prepared.forEach((e, i) => {
        m.data[this.ns].set(e.key, {
          value: norm(e.value),
          version: newVersion(m, versions[i] ?? 0),
          updatedAt: m.now,
          expiresAt: e.ttlMs === undefined ? null : m.now + e.ttlMs,
          phys: 'sure',
        });
      });
    } else {
      expect(await caught(p)).toBeInstanceOf(ConflictError);
    }
    for (const e of prepared) await checkKey(m, r, this.ns, e.key);
  }
  toString = () => `setMany(${this.ns}:${JSON.stringify(this.entries)})`;
}

export class ListCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly prefix: string,
    readonly limit: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const kv = kvOf(r, this.ns);
    const got: KvEntry[] = [];
    let cursor: string | undefined;
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(100);
      const page = await kv.list({ prefix: this.prefix, limit: this.limit, ...(cursor !== undefined ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(this.limit);
      got.push(...page.items);
      if (page.cursor === undefined) break;
      expect(page.items).toHaveLength(this.limit);
      cursor = page.cursor;
    }
    const expected = [...m.data[this.ns].entries()]
      .filter(([k, rec]) => k.startsWith(this.prefix) && isLive(m, rec))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, rec]) => entryView(k, rec));
    expect(got.map(realView)).toEqual(expected);
  }
  toString = () => `list(${this.ns}, prefix=${JSON.stringify(this.prefix)}, limit=${this.limit})`;
}

export class ClearCmd implements Cmd {
  constructor(readonly ns: Ns) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const n = await kvOf(r, this.ns).clear();
    const data = m.data[this.ns];
    const liveKeys = [...data.keys()].filter((k) => isLive(m, data.get(k)));
    expect(n).toBe(liveKeys.length);
    for (const k of liveKeys) data.delete(k);
    for (const k of data.keys()) touchExpired(m, this.ns, k);
  }
  toString = () => `clear(${this.ns})`;
}

export class AdvanceCmd implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.ms;
    r.clock.advance(this.ms);
  }
  toString = () => `advance(${this.ms})`;
}

export class SweepCmd implements Cmd {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    let sure = 0;
    let maybe = 0;
    for (const ns of NAMESPACES) {
      for (const [k, rec] of [...m.data[ns]]) {
        if (isLive(m, rec)) continue;
        if (rec.phys === 'sure') sure++;
        else maybe++;
        m.data[ns].delete(k);
      }
    }
    const { purged } = await r.h.mx.sweep();
    expect(purged).toBeGreaterThanOrEqual(sure);
    expect(purged).toBeLessThanOrEqual(sure + maybe);
    expect((await r.h.mx.sweep()).purged).toBe(0);
  }
  toString = () => 'sweep()';
}
