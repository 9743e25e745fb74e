// KeyvMemex against Keyv's own test suite (@keyv/test-suite 2: the default suite and the iterator
// tests), a fresh Memex store per factory call as the suite expects.
import * as test from 'vitest';
import Keyv from 'keyv';
import keyvTestSuite, { keyvIteratorTests } from '@keyv/test-suite';
import { openMemex, type Memex } from '../../src/index.js';
import { KeyvMemex } from '../../src/adapters/keyv.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const opened: Memex[] = [];
const store = () => {
  const path = tempDbPath();
  // The suite builds its stores synchronously; the Memex opens on first use.
  const pending = openMemex({ path, durability: 'normal' }).then((mx) => (opened.push(mx), mx));
  return new KeyvMemex(lazyScope(pending)) as never;
};

test.afterAll(async () => {
  for (const mx of opened.splice(0)) await mx.close();
  cleanupTemp();
});

keyvTestSuite(test, Keyv, store);
keyvIteratorTests(test, Keyv, store);

/** A scope whose kv calls wait for the store to open. */
function lazyScope(p: Promise<Memex>): Memex {
  const kv = new Proxy(
    {},
    {
      get:
        (_t, m: string) =>
        async (...args: unknown[]) =>
          ((await p).kv as unknown as Record<string, (...a: unknown[]) => unknown>)[m]!(...args),
    },
  );
  return { kv } as unknown as Memex;
}
