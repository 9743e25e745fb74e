/**
 * The kv model's commands for what one sequential caller never meets: several callers at once
 * (through two handles where the engine has a second one), and a reopen of the storage.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { checkKey, entryView, isLive, kvOf, live, NAMESPACES, norm, realView, type Cmd, type Model, type Ns, type Real } from './kv-commands.js';

/** The whole visible store equals the model, namespace by namespace. */
export async function checkAll(m: Model, r: Real): Promise<void> {
  for (const ns of NAMESPACES) {
    const page = await kvOf(r, ns).list({ limit: 1000 });
    const expected = [...m.data[ns].entries()]
      .filter(([, rec]) => isLive(m, rec))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, rec]) => entryView(k, rec));
    expect(page.items.map(realView), `namespace ${ns}`).toEqual(expected);
  }
}

/**
 * Sets of distinct keys and `increments` updates of one counter key, all issued at once, every
 * other one through the second handle: each set's version is new (above all before, none shared),
 * and the counter ends `increments` above where it was (no update lost).
 */
export class ConcurrentCmd implements Cmd {
  readonly sets: { key: string; value: unknown }[];
  constructor(
    readonly ns: Ns,
    sets: { key: string; value: unknown }[],
    readonly counter: string,
    readonly increments: number,
  ) {
    this.sets = sets.filter((s) => s.key !== counter);
  }
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const before = m.maxVersion;
    const handles = [r.h.mx, r.h.other ?? r.h.mx];
    const cur = live(m, this.ns, this.counter);
    let expectedCount = typeof cur?.value === 'number' ? cur.value : 0;
    for (let i = 0; i < this.increments; i++) expectedCount += 1;
    const sets = this.sets.map((s, i) => kvOf(r, this.ns, handles[i % 2]).set(s.key, s.value));
    const incs = Array.from({ length: this.increments }, (_, i) =>
      kvOf(r, this.ns, handles[(i + 1) % 2]).update<unknown>(this.counter, (c) => (typeof c === 'number' ? c : 0) + 1),
    );
    const [setResults] = await Promise.all([Promise.all(sets), Promise.all(incs)]);
    const versions = setResults.map((x) => x.version);
    this.sets.forEach((s, i) => {
      m.data[this.ns].set(s.key, { value: norm(s.value), version: versions[i]!, updatedAt: m.now, expiresAt: null, phys: 'sure' });
    });
    if (this.increments > 0) {
      const e = await kvOf(r, this.ns).getEntry(this.counter);
      expect(e?.value, 'the counter after concurrent increments').toBe(expectedCount);
      versions.push(e!.version);
      m.data[this.ns].set(this.counter, {
        value: expectedCount,
        version: e!.version,
        updatedAt: m.now,
        expiresAt: cur?.expiresAt ?? null,
        phys: 'sure',
      });
    }
    for (const v of versions) expect(v, 'versions of concurrent writes are new').toBeGreaterThan(before);
    expect(new Set(versions).size, 'no two concurrent writes share a version').toBe(versions.length);
    m.maxVersion = Math.max(before, ...versions);
    for (const s of this.sets) await checkKey(m, r, this.ns, s.key);
    await checkKey(m, r, this.ns, this.counter);
  }
  toString = () => `concurrently(${this.ns}: sets ${JSON.stringify(this.sets)}, ${this.increments} x increment ${this.counter})`;
}

/** Closes every handle and opens the storage again (engines whose data outlives a handle); all of it must still be there. */
export class ReopenCmd implements Cmd {
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    if (!r.h.reopen) return;
    await r.h.reopen();
    await checkAll(m, r);
  }
  toString = () => 'reopen()';
}

export const concurrentArb = (nsArb: fc.Arbitrary<Ns>, keyArb: fc.Arbitrary<string>, valueArb: fc.Arbitrary<unknown>): fc.Arbitrary<Cmd> =>
  fc
    .tuple(
      nsArb,
      fc.uniqueArray(fc.record({ key: keyArb, value: valueArb }), { selector: (e) => e.key, maxLength: 4 }),
      keyArb,
      fc.integer({ min: 0, max: 6 }),
    )
    .map(([ns, sets, counter, n]) => new ConcurrentCmd(ns, sets, counter, n));
