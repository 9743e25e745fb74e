// Two processes sharing one file through Keyv: a counter built on it loses no update.
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { KeyvMemex } from '../../src/adapters/keyv.js';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

describe('KeyvMemex across processes', () => {
  it('two processes x 100 increments of a counter kept in Keyv: 200, and each sees the other at once', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const runs = [0, 1].map(() => watchChild(spawnScript(here(import.meta.url, '../fixtures/keyv-counter.ts'), [path, '100'])));
    for (const r of await Promise.all(runs)) expect(r, r.stderr).toMatchObject({ code: 0 });
    const mx = await openMemex({ path });
    const keyv = new Keyv<number>({ store: new KeyvMemex(mx.scope('keyv')), namespace: 'app' });
    expect(await keyv.get('counter')).toBe(200);
    await keyv.clear(); // this Keyv namespace only
    expect(await keyv.get('counter')).toBeUndefined();
    await mx.close();
  });
});
