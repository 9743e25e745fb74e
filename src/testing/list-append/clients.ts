import type { KvStore } from '../../api/kv.js';
import type { Mop } from './history.js';
import type { TxnShape } from './workload.js';

/**
 * One way of running a planned transaction against a store: resolves the mops with every read
 * filled in, or throws (see {@link outcomeOf} for what the throw means).
 */
export interface ListAppendClient {
  /** Shown in reports (`via`). */
  readonly name: string;
  /** Which transactions it can run. */
  readonly shape: TxnShape;
  run(mops: readonly Mop[]): Promise<readonly Mop[]>;
}

type List = readonly number[];
const listOf = (v: unknown): List => (v === undefined ? [] : (v as List));

/**
 * The ways the public kv API can run list-append transactions atomically: `kv.transaction` over
 * mixed reads and appends, a read-only `kv.transaction`, `kv.update` (an append whose result is
 * read), `getEntry` then `set` with `ifVersion` (compare-and-set; a conflict fails the
 * transaction), and `getMany` (a snapshot read of several keys).
 *
 * @example
 * ```ts
 * const report = await runListAppend({ open: () => openMemex({ path }), clients: (mx) => kvClients(mx.scope('elle').kv) });
 * ```
 */
export function kvClients(kv: KvStore): ListAppendClient[] {
  return [
    {
      name: 'transaction',
      shape: 'mixed',
      run: (mops) =>
        kv.transaction((tx) =>
          mops.map((m) =>
            applyMop(
              m,
              (k) => listOf(tx.get(k)),
              (k, l) => void tx.set(k, l),
            ),
          ),
        ),
    },
    { name: 'read transaction', shape: 'reads', run: (mops) => kv.transaction((tx) => mops.map((m) => readMop(m, listOf(tx.get(m[1]))))) },
    {
      name: 'update',
      shape: 'append',
      run: async ([append]) => {
        const [, key, value] = append as Extract<Mop, { 0: 'append' }>;
        const after = await kv.update<List>(key, (l) => [...(l ?? []), value]);
        return [append!, ['r', key, [...listOf(after)]]];
      },
    },
    {
      name: 'cas',
      shape: 'cas',
      run: async ([read, append]) => {
        const [, key, value] = append as Extract<Mop, { 0: 'append' }>;
        const e = await kv.getEntry<List>(key);
        const list = listOf(e?.value);
        await kv.set(key, [...list, value], { ifVersion: e?.version ?? 0 });
        return [readMop(read!, list), append!];
      },
    },
    {
      name: 'getMany',
      shape: 'reads',
      run: async (mops) => {
        const values = await kv.getMany(mops.map((m) => m[1]));
        return mops.map((m, i) => readMop(m, listOf(values[i])));
      },
    },
  ];
}

/**
 * Clients that are NOT atomic, for proving the checker catches them: `getThenSet` reads each key
 * and writes the whole list back without a version check (appends get lost); `getThenUpdate`
 * reads with `get` and appends with `update` (nothing lost, but the reads and appends of one
 * transaction happen at different moments).
 *
 * @example
 * ```ts
 * const { report } = await runListAppend({ open, clients: (mx) => [unsafeKvClients(mx.kv).getThenSet] });
 * // report.serializable === false: lost appends, G0 / G1c / G-single / G2 cycles
 * ```
 */
export function unsafeKvClients(kv: KvStore): { getThenSet: ListAppendClient; getThenUpdate: ListAppendClient } {
  /** One mop at a time: reads by `get`, appends by `append`. */
  const oneByOne = (name: string, append: (key: string, value: number) => Promise<unknown>): ListAppendClient => ({
    name,
    shape: 'mixed',
    run: async (mops) => {
      const out: Mop[] = [];
      for (const m of mops) {
        if (m[0] === 'r') out.push(readMop(m, listOf(await kv.get(m[1]))));
        else {
          await append(m[1], m[2]);
          out.push(m);
        }
      }
      return out;
    },
  });
  return {
    getThenSet: oneByOne('get then set', async (key, value) => kv.set(key, [...listOf(await kv.get(key)), value])),
    getThenUpdate: oneByOne('get then update', (key, value) => kv.update<List>(key, (l) => [...(l ?? []), value])),
  };
}

/**
 * A read mop with its value: a fresh array (stored values are frozen and may be shared).
 *
 * @example
 * ```ts
 * readMop(['r', 'k1', null], [1, 2]); // ['r', 'k1', [1, 2]]
 * ```
 */
export function readMop(m: Mop, list: List): Mop {
  return ['r', m[1], [...list]];
}

/**
 * Runs one mop over synchronous `read` and `write` of whole lists; returns it with its value.
 *
 * @example
 * ```ts
 * await kv.transaction((tx) => mops.map((m) => applyMop(m, (k) => tx.get<number[]>(k) ?? [], (k, l) => tx.set(k, l))));
 * ```
 */
export function applyMop(m: Mop, read: (key: string) => List, write: (key: string, list: List) => void): Mop {
  if (m[0] === 'r') return readMop(m, read(m[1]));
  write(m[1], [...read(m[1]), m[2]]);
  return m;
}
