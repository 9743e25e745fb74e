// What health() checks on the SQLite engine.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../../src/index.js';
import { cleanupTemp, tempDbPath } from '../../helpers/tmp.js';

const opened: Memex[] = [];
const open = async () => {
  const mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
  opened.push(mx);
  return mx;
};
afterEach(async () => {
  for (const mx of opened.splice(0)) await mx.close();
  cleanupTemp();
});

describe('health on SQLite', () => {
  it('health() is ok with the checks storage, integrity, wal and lockTimeouts', async () => {
    const mx = await open();
    await mx.kv.set('a', 1);
    const h = await mx.health();
    expect(h.ok).toBe(true);
    expect(h.checks.map((c) => c.name).sort()).toEqual(['integrity', 'lockTimeouts', 'storage', 'wal']);
    for (const c of h.checks) {
      expect(c.ok, c.name).toBe(true);
      expect(c.detail, c.name).toBeTypeOf('string');
    }
  });
});
