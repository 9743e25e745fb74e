/**
 * Random kv / conversation / vector / remember operations, some issued together so that they
 * share a group commit, with faults injected at random statements of the real connection
 * (test/helpers/driver-faults.ts: SQLite's own I/O, full-disk and read-only errors, with and
 * without SQLite rolling the transaction back). The model holds only what was acknowledged.
 *
 * After each sequence the store must equal the model — kv records, every thread's messages,
 * every vector (by get, by count and by search, so the in-memory index agrees too) — and again
 * after closing and reopening the file. An operation may only fail with a StorageError carrying
 * SQLite's code, and a failed one must have left no trace.
 *
 * FAULT_MODEL_RUNS sets the number of sequences (default 500: the CI figure; 1,000 and more on demand).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openMemex, StorageError, type Memex } from '../../src/index.js';
import { DriverFaults, MESSAGES, type CallKind } from '../helpers/driver-faults.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const RUNS = Number(process.env.FAULT_MODEL_RUNS ?? 500);
const KEYS = ['a', 'b', 'c', 'd'] as const;
const THREADS = ['t1', 't2'] as const;
const DOCS = ['v1', 'v2', 'v3'] as const;
const CODES = Object.keys(MESSAGES);
const KINDS: readonly (readonly CallKind[])[] = [
  ['write'],
  ['read'],
  ['commit'],
  ['begin'],
  ['write', 'commit'],
  ['read', 'write', 'commit', 'begin'],
];

type Op =
  | { t: 'set'; key: string; n: number }
  | { t: 'del'; key: string }
  | { t: 'cas'; key: string; n: number; stale: boolean }
  | { t: 'pair'; a: string; b: string; n: number }
  | { t: 'append'; thread: string; n: number }
  | { t: 'upsert'; id: string; n: number }
  | { t: 'unvector'; id: string }
  | { t: 'remember'; thread: string; n: number };

interface Fault {
  readonly nth: number;
  readonly kinds: readonly CallKind[];
  readonly code: string;
  readonly rollsBack: boolean;
}

/** A step: one operation, or several at once on distinct records, perhaps with a fault armed. */
interface Step {
  readonly ops: Op[];
  readonly fault: Fault | undefined;
}

interface Model {
  kv: Map<string, { value: number; version: number }>;
  threads: Map<string, string[]>;
  docs: Map<string, string>;
}

const n = fc.integer({ min: 0, max: 999 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('set' as const), key: fc.constantFrom(...KEYS), n }),
  fc.record({ t: fc.constant('del' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ t: fc.constant('cas' as const), key: fc.constantFrom(...KEYS), n, stale: fc.boolean() }),
  fc.record({ t: fc.constant('pair' as const), a: fc.constantFrom(...KEYS), b: fc.constantFrom(...KEYS), n }),
  fc.record({ t: fc.constant('append' as const), thread: fc.constantFrom(...THREADS), n }),
  fc.record({ t: fc.constant('upsert' as const), id: fc.constantFrom(...DOCS), n }),
  fc.record({ t: fc.constant('unvector' as const), id: fc.constantFrom(...DOCS) }),
  fc.record({ t: fc.constant('remember' as const), thread: fc.constantFrom(...THREADS), n }),
);
const fault: fc.Arbitrary<Fault> = fc.record({
  nth: fc.integer({ min: 1, max: 12 }),
  kinds: fc.constantFrom(...KINDS),
  code: fc.constantFrom(...CODES),
  rollsBack: fc.boolean(),
});
const step: fc.Arbitrary<Step> = fc.record({
  ops: fc.array(op, { minLength: 1, maxLength: 3 }),
  fault: fc.option(fault, { nil: undefined, freq: 2 }),
});

/** Records an operation touches: operations issued together touch distinct ones. */
const touches = (o: Op): string[] => {
  switch (o.t) {
    case 'pair':
      return [`kv:${o.a}`, `kv:${o.b}`];
    case 'append':
    case 'remember':
      return [`thread:${o.thread}`];
    case 'upsert':
    case 'unvector':
      return [`doc:${o.id}`];
    default:
      return [`kv:${o.key}`];
  }
};
const disjoint = (ops: Op[]): Op[] => {
  const seen = new Set<string>();
  return ops.filter((o) => {
    const t = touches(o);
    if (t.some((x) => seen.has(x))) return false;
    for (const x of t) seen.add(x);
    return true;
  });
};
const docText = (id: string, k: number) => `note ${id} number ${k}`;

/** Runs one operation; returns how the model changes if (and only if) it was acknowledged. */
async function run(mx: Memex, m: Model, o: Op): Promise<() => void> {
  switch (o.t) {
    case 'set': {
      const { version } = await mx.kv.set(o.key, o.n);
      return () => m.kv.set(o.key, { value: o.n, version });
    }
    case 'del': {
      const had = await mx.kv.delete(o.key);
      expect(had).toBe(m.kv.has(o.key));
      return () => m.kv.delete(o.key);
    }
    case 'cas': {
      const current = m.kv.get(o.key)?.version ?? 0;
      const ifVersion = o.stale ? current + 1_000_000 : current;
      const r = await mx.kv.set(o.key, o.n, { ifVersion }).catch((e: unknown) => {
        if (o.stale && (e as { code?: string }).code === 'version_conflict') return undefined;
        throw e;
      });
      expect(r === undefined).toBe(o.stale);
      return () => r && m.kv.set(o.key, { value: o.n, version: r.version });
    }
    case 'pair': {
      const versions = await mx.kv.transaction((tx) => [tx.set(o.a, o.n).version, tx.set(o.b, o.n + 1).version]);
      return () => {
        m.kv.set(o.a, { value: o.n, version: versions[0]! });
        m.kv.set(o.b, { value: o.n + 1, version: versions[1]! });
      };
    }
    case 'append': {
      await mx.conversations.append(o.thread, { role: 'user', content: `m${o.n}` });
      return () => m.threads.set(o.thread, [...(m.threads.get(o.thread) ?? []), `m${o.n}`]);
    }
    case 'remember': {
      const r = await mx.remember({ userId: 'u', threadId: o.thread, message: `q${o.n}`, response: `a${o.n}` });
      return () => {
        m.threads.set(o.thread, [...(m.threads.get(o.thread) ?? []), `q${o.n}`, `a${o.n}`]);
        m.docs.set(`${o.thread}#${r.messageSeq}`, `q${o.n}`);
        m.docs.set(`${o.thread}#${r.responseSeq}`, `a${o.n}`);
      };
    }
    case 'upsert': {
      await mx.vectors.upsert({ id: o.id, text: docText(o.id, o.n) });
      return () => m.docs.set(o.id, docText(o.id, o.n));
    }
    case 'unvector': {
      const had = await mx.vectors.delete(o.id);
      expect(had).toBe(m.docs.has(o.id));
      return () => m.docs.delete(o.id);
    }
  }
}

/** The whole store against the model. */
async function assertMatches(mx: Memex, m: Model): Promise<void> {
  const page = await mx.kv.list<number>({ limit: 100 });
  expect(Object.fromEntries(page.items.map((e) => [e.key, { value: e.value, version: e.version }]))).toEqual(Object.fromEntries(m.kv));
  for (const t of THREADS) {
    expect((await mx.conversations.recent(t, 1000)).map((x) => x.content)).toEqual(m.threads.get(t) ?? []);
  }
  expect(await mx.vectors.count()).toBe(m.docs.size);
  for (const [id, text] of m.docs) {
    expect((await mx.vectors.get(id))?.text).toBe(text);
    const hits = await mx.vectors.search({ text, topK: 1 });
    expect(hits[0]?.score).toBeCloseTo(1, 5);
    expect(m.docs.get(hits[0]!.id)).toBe(text);
  }
  for (const id of DOCS) if (!m.docs.has(id)) expect(await mx.vectors.get(id)).toBeUndefined();
}

afterAll(cleanupTemp);

describe('faults at random statements against a model of what was acknowledged', () => {
  it(`${RUNS} sequences: no acknowledged write lost, no failed write visible, before and after reopening`, async () => {
    let faultsThrown = 0;
    let failedOps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const path = tempDbPath();
        const faults = new DriverFaults();
        const mx = await openMemex({ engine: faults.engine({ path, durability: 'normal' }) });
        const m: Model = { kv: new Map(), threads: new Map(), docs: new Map() };
        try {
          for (const s of steps) {
            if (s.fault) faults.failNth(s.fault.nth, s.fault.kinds, s.fault.code, s.fault.rollsBack);
            const ops = disjoint(s.ops);
            const settled = await Promise.allSettled(ops.map((o) => run(mx, m, o)));
            faults.clear();
            for (const r of settled) {
              if (r.status === 'fulfilled') r.value();
              else {
                // Only the injected fault may fail an operation, and only as a typed StorageError.
                if (!(r.reason instanceof StorageError) || !CODES.includes(r.reason.driverCode ?? '')) throw r.reason;
                failedOps++;
              }
            }
          }
          faultsThrown += faults.thrown;
          await assertMatches(mx, m);
        } finally {
          await mx.close();
        }
        const again = await openMemex({ path });
        try {
          await assertMatches(again, m);
        } finally {
          await again.close();
        }
      }),
      { numRuns: RUNS },
    );
    // The run must really have hurt: faults thrown and operations failed by them.
    console.log(`faults thrown ${faultsThrown}, operations failed ${failedOps}`);
    expect(faultsThrown).toBeGreaterThan(RUNS / 2);
    expect(failedOps).toBeGreaterThan(RUNS / 4);
  }, 600_000);
});
