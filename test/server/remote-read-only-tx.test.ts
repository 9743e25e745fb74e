// A read-only remote kv.transaction returns a state that existed. The remote client fetches the
// keys `fn` reads one by one; here a writer commits to both keys between the two fetches (the
// server holds the second fetch until that write is in), the interleaving that produced the read
// skew the list-append checker found (G-single). The transaction must not return the first key
// from before the write and the second from after it.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { buildServer } from '../../src/server/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  cleanupTemp();
});

/** A server whose `kv.getEntries` calls for `key` first run `before` (once). */
async function serverWithHook(store: Memex, key: string, before: () => Promise<void>): Promise<string> {
  const app = await buildServer({ memex: store });
  let fired = false;
  app.addHook('preHandler', async (req) => {
    const keys = (req.body as { keys?: string[] } | undefined)?.keys;
    if (req.url === '/v1/kv/getEntries' && !fired && keys?.includes(key)) {
      fired = true;
      await before();
    }
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

describe('remote read-only transaction', () => {
  it('a write to both keys landing between the fetch of the first and of the second is not half seen', async () => {
    const store = await openMemex({ path: tempDbPath(), durability: 'normal' });
    closers.push(() => store.close());
    await store.kv.setMany([
      { key: 'a', value: 'before' },
      { key: 'b', value: 'before' },
    ]);
    const url = await serverWithHook(store, 'b', async () => {
      await store.kv.transaction((tx) => {
        tx.set('a', 'after');
        tx.set('b', 'after');
      });
    });
    const client = await openMemex({ url });
    closers.push(() => client.close());
    const seen = await client.kv.transaction((tx) => [tx.get('a'), tx.get('b')]);
    expect(seen).toEqual(['after', 'after']);
  });
});
