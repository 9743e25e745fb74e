// What health() checks on the SQLite engine.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { openMemex, type Memex, type MemexOptions } from '../../../src/index.js';
import { SqliteEngine } from '../../../src/engine/sqlite/engine.js';
import { withSqliteDefaults } from '../../../src/engine/sqlite/options.js';
import { tempDbPath } from '../../helpers/tmp.js';
import { closeAfterEach } from '../../helpers/stores.js';

const track = closeAfterEach();
const open = async (options: Partial<MemexOptions> = {}) => {
  const mx = await openMemex({ path: tempDbPath(), durability: 'normal', ...options });
  track(mx);
  return mx;
};

describe('health on SQLite', () => {
  it('health() is ok with the checks storage, durability, integrity, wal, disk, lockTimeouts, clock and writes', async () => {
    const mx = await open();
    await mx.kv.set('a', 1);
    const h = await mx.health();
    expect(h.ok).toBe(true);
    expect(h.checks.map((c) => c.name).sort()).toEqual(['clock', 'disk', 'durability', 'integrity', 'lockTimeouts', 'storage', 'wal', 'writes']);
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
      // What the store promises follows what the connection does: durableFull only with 'full'.
      const check = (await mx.health()).checks.find((c) => c.name === 'durability')!;
      expect(check.ok, check.detail).toBe(true);
      expect(check.detail.split(':')[0], durability).toBe(durability);
      expect(mx.capabilities.durableFull, durability).toBe(durability === 'full');
    }
  });

  it('the durability check is not ok when the connection flushes less than the store was opened to', async () => {
    // The connection itself, kept by the engine's wrapDatabase hook: it stands in for a store whose
    // setting drifted (an extension or a hand-run PRAGMA on the connection).
    const dbs: Database.Database[] = [];
    const wrapDatabase = (db: Database.Database) => (dbs.push(db), db);
    const s = withSqliteDefaults({ path: tempDbPath(), durability: 'full' });
    const mx = track(await openMemex({ engine: { kind: 'sqlite', open: (common) => SqliteEngine.open({ ...s, ...common }, { wrapDatabase }) } }));
    await mx.kv.set('a', 1);
    for (const db of dbs) db.pragma('synchronous = NORMAL');
    const check = (await mx.health()).checks.find((c) => c.name === 'durability')!;
    expect(check).toMatchObject({ ok: false });
    expect(check.detail).toMatch(/^normal: .*synchronous=NORMAL/);
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

describe('the disk check', () => {
  it('reports the free space of the database’s own filesystem (a 4 MiB tmpfs) and is not ok below minFreeBytes', async () => {
    // A real small filesystem: tmpfs, mounted as root (CI runs as root; mounting needs it).
    const dir = mkdtempSync(join(tmpdir(), 'memex-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
    const opened: Memex[] = [];
    try {
      const mx = await openMemex({ path: join(dir, 'small.db'), durability: 'normal' });
      opened.push(mx);
      const disk = (await mx.health()).checks.find((c) => c.name === 'disk')!;
      expect(disk.value).toBeGreaterThan(0);
      expect(disk.value).toBeLessThanOrEqual(4 * 1024 * 1024);
      expect(disk.detail).toContain(dir);
      expect(disk.ok, disk.detail).toBe(false); // below the 64 MiB default
      expect((await mx.health()).ok).toBe(false);
      await mx.close();
      const roomy = await openMemex({ path: join(dir, 'small.db'), durability: 'normal', minFreeBytes: 2 * 1024 * 1024 });
      opened.push(roomy);
      expect((await roomy.health()).checks.find((c) => c.name === 'disk')?.ok).toBe(true);
      await roomy.kv.set('big', 'x'.repeat(900_000));
      await roomy.kv.set('big2', 'y'.repeat(900_000));
      await roomy.kv.set('big3', 'z'.repeat(900_000));
      const after = (await roomy.health()).checks.find((c) => c.name === 'disk')!;
      expect(after.value!).toBeLessThan(disk.value!);
      expect(after.ok, after.detail).toBe(false);
      await roomy.close();
    } finally {
      for (const m of opened) await m.close();
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
