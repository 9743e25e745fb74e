// What health() checks on the SQLite engine.
import { describe, expect, it } from 'vitest';
import { openMemex, type MemexOptions } from '../../../src/index.js';
import { tempDbPath } from '../../helpers/tmp.js';
import { closeAfterEach } from '../../helpers/stores.js';

const track = closeAfterEach();
const open = async (options: Partial<MemexOptions> = {}) => {
  const mx = await openMemex({ path: tempDbPath(), durability: 'normal', ...options });
  track(mx);
  return mx;
};

describe('health on SQLite', () => {
  it('health() is ok with the checks storage, integrity, wal and lockTimeouts', async () => {
    const mx = await open();
    await mx.kv.set('a', 1);
    const h = await mx.health();
    expect(h.ok).toBe(true);
    expect(h.checks.map((c) => c.name).sort()).toEqual(['integrity', 'lockTimeouts', 'storage', 'wal', 'writes']);
    for (const c of h.checks) {
      expect(c.ok, c.name).toBe(true);
      expect(c.detail, c.name).toBeTypeOf('string');
    }
  });

  it("durability 'full' and 'normal' set synchronous=FULL and NORMAL on the connection (read back, not assumed)", async () => {
    // A SIGKILL cannot tell the two apart (both survive a killed process); what differs is the
    // pragma, which decides whether the last commits survive power loss. So the pragma is checked.
    for (const [durability, pragma] of [
      ['full', 'synchronous=FULL'],
      ['normal', 'synchronous=NORMAL'],
    ] as const) {
      const mx = await open({ durability });
      const storage = (await mx.health()).checks.find((c) => c.name === 'storage');
      expect(storage?.detail, durability).toContain(pragma);
      expect(storage?.detail, durability).toContain('journal_mode=wal');
    }
  });

  it('the wal check turns not ok once the WAL outgrows walWarnBytes, and ok again after a checkpoint shrinks it', async () => {
    const mx = await open({ walWarnBytes: 64 * 1024 });
    expect((await mx.health()).checks.find((c) => c.name === 'wal')?.ok).toBe(true);
    // A reader held open in a snapshot would be needed to stop checkpoints; here the WAL simply
    // grows past 64 KiB within one burst of writes before the auto-checkpoint truncates it.
    await mx.kv.setMany(Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: 'x'.repeat(2000) })));
    const wal = (await mx.health()).checks.find((c) => c.name === 'wal')!;
    expect(wal.ok, wal.detail).toBe(false);
    expect((await mx.health()).ok).toBe(false);
    expect(wal.detail).toMatch(/^WAL \d+ bytes \(warn above 65536\)$/);
  });
});
