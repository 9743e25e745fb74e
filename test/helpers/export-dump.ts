// What the export and import tests compare: a store's records as `memex export` writes them,
// reduced to what must survive a move between stores.
import type { Memex } from '../../src/index.js';
import { VECTORS_META } from '../../src/stores/names.js';

export interface Line {
  ns: string;
  store: string;
  key: string;
  value: unknown;
  version: number;
  expiresAt: number | null;
  rank: number | null;
}

/** The same writes into every store, in two namespaces. */
export async function populate(mx: Memex): Promise<void> {
  for (const s of [mx, mx.scope('acme/u1')]) {
    await s.kv.set('plain', { n: 1 });
    await s.kv.set('ttl', 'soon', { ttlMs: 3_600_000 });
    // Activity order (zeta, then alpha) is not key order: an import must keep it.
    await s.conversations.append('zeta', { role: 'user', content: 'first thread' });
    await s.conversations.append('alpha', { role: 'user', content: 'hello' });
    await s.conversations.append('alpha', { role: 'assistant', content: 'hi there' });
    await s.cache.set(['llm', 'q'], { answer: 42 });
    await s.cache.set('plain-key', 'cached text');
    await s.profiles.set('u1', { name: 'Ada' });
    await s.sites.recordQuirk('https://example.com/a', 'cookie banner first');
    await s.sites.cacheSelector('https://example.com/a', 'search', 'input[name=q]');
    await s.vectors.upsert([
      { id: 'v1', text: 'first memory about lighthouses', metadata: { userId: 'u1' } },
      { id: 'v2', vector: Array.from({ length: 384 }, (_, i) => (i === 3 ? 1 : 0)) },
    ]);
  }
}

export const lines = (text: string): Line[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

/** A value without the times stores put in it (`at`, `createdAt`, `lastActiveAt`…): each run has its own. */
export const timeless = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(timeless)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => !/^at$|At$/.test(k))
            .map(([k, x]) => [k, timeless(x)]),
        )
      : v;

/** What two engines given the same writes must agree on: everything but versions and times. */
export const canonical = (ls: Line[]) =>
  ls
    .map((l) => ({
      ns: l.ns,
      store: l.store,
      key: l.key,
      // A vector collection's id is random by design (a saved index names the collection it belongs to).
      value: l.store === VECTORS_META && l.key === 'id' ? 'a random id' : timeless(l.value),
      expires: l.expiresAt !== null,
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/**
 * What an export and its import must agree on exactly: every record's namespace, store, key,
 * value and expiry, and each namespace's threads in activity order. Versions, record times and
 * ranks are the target's own; leases (`locks`) do not move.
 */
export const moved = (ls: Line[]) => ({
  records: ls
    .filter((l) => l.store !== 'locks')
    .map((l) => ({ ns: l.ns, store: l.store, key: l.key, value: l.value, expiresAt: l.expiresAt }))
    .sort((a, b) => JSON.stringify([a.ns, a.store, a.key]).localeCompare(JSON.stringify([b.ns, b.store, b.key]))),
  threads: ls.filter((l) => l.store === 'conversations').map((l) => `${l.ns}/${l.key}`),
});
