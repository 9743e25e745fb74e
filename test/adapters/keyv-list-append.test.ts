// The list-append workload through Keyv, checked by the Elle-style checker: what KeyvMemex promises
// is that each call is one atomic Memex call — `getMany` reads one snapshot, `setMany` writes all or
// nothing — and Keyv itself has no read-modify-write, so appends take Memex locks on their keys (in
// key order) around a `getMany` and a `setMany`, while read-only transactions are a bare
// `getMany`, with no lock. A torn `getMany` or a half-applied `setMany` shows as a cycle.
import Keyv from 'keyv';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { KeyvMemex } from '../../src/adapters/keyv.js';
import { openMemex, type Memex } from '../../src/index.js';
import { applyMop, formatReport, runListAppend, type ListAppendClient, type Mop } from '../../src/testing/index.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { listAppendSeed } from '../helpers/list-append-procs.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const seed = listAppendSeed();
console.log(`list-append seed ${seed} (replay with MEMEX_LIST_APPEND_SEED=${seed})`);
afterEach(stopServers);
afterAll(cleanupTemp);

type List = readonly number[];
const keyvOf = (mx: Memex) => new Keyv<List>({ store: new KeyvMemex(mx.scope('keyv')), namespace: 'app', throwOnErrors: true });

/** Read-only transactions: one `getMany`. Appends: locks on the keys, `getMany`, then one `setMany`. */
function keyvClients(mx: Memex): ListAppendClient[] {
  const keyv = keyvOf(mx);
  const locks = mx.scope('keyv').locks;
  return [
    {
      name: 'keyv getMany',
      shape: 'reads',
      run: async (mops) => {
        const values = await keyv.getMany(mops.map((m) => m[1]));
        return mops.map((m, i) =>
          applyMop(
            m,
            () => values[i] ?? [],
            () => undefined,
          ),
        );
      },
    },
    {
      name: 'keyv locked getMany + setMany',
      shape: 'mixed',
      run: async (mops) => {
        const keys = [...new Set(mops.map((m) => m[1]))].sort();
        const body = async (): Promise<Mop[]> => {
          const values = await keyv.getMany(keys);
          const lists = new Map(keys.map((k, i) => [k, values[i] ?? []]));
          const out = mops.map((m) =>
            applyMop(
              m,
              (k) => lists.get(k)!,
              (k, l) => lists.set(k, l),
            ),
          );
          const written = keys.filter((k) => mops.some((m) => m[0] === 'append' && m[1] === k));
          if (written.length > 0) await keyv.setMany(written.map((key) => ({ key, value: lists.get(key)! })));
          return out;
        };
        const locked = (i: number): Promise<Mop[]> => (i === keys.length ? body() : locks.withLock(`list:${keys[i]}`, () => locked(i + 1)));
        return locked(0);
      },
    },
  ];
}

async function keyvFinal(mx: Memex, keys: readonly string[]): Promise<Map<string, List>> {
  const values = await keyvOf(mx).getMany([...keys]);
  return new Map(keys.map((k, i) => [k, values[i] ?? []]));
}

describe('Keyv (KeyvMemex): list-append histories are strict serializable', () => {
  it.each([
    ['sqlite', () => tempDbPath()],
    ['http', () => tempDbPath()],
  ])('%s: 4 handles x 4 callers', async (kind, path) => {
    const at = path();
    const open =
      kind === 'sqlite'
        ? () => openMemex({ path: at, durability: 'normal' })
        : async () => openMemex({ url: (await serverAt(at, () => openMemex({ path: at, durability: 'normal' }))).url });
    // Over HTTP each lock is two round trips more: fewer transactions keep the run short.
    const { report } = await runListAppend({ open, txnsPerCaller: kind === 'http' ? 25 : 40, seed, clients: keyvClients, finalLists: keyvFinal });
    const text = `${kind}, seed ${seed}: ${formatReport(report)}`;
    console.log(text.split('\n')[0]);
    expect(report.stats.ok, text).toBeGreaterThan(kind === 'http' ? 300 : 500);
    expect(report.stats.appends, text).toBeGreaterThan(kind === 'http' ? 120 : 200);
    expect(report.counts, text).toEqual({});
  });
});
