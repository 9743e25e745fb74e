// A really full disk under the embedded engine: a 3 MiB tmpfs the test mounts (CI runs as root,
// which mounting needs), partly taken by a file an operator can delete. Writes fail with a typed
// StorageError (SQLITE_FULL), what was acknowledged is all there, reads keep working, health() says
// so, and once the file is deleted the next write succeeds — no restart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMemex, StorageError, type Memex } from '../../src/index.js';

let dir: string;
const opened: Memex[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'memex-fs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir]);
});

afterEach(async () => {
  for (const m of opened.splice(0)) await m.close().catch(() => undefined);
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

const open = async () => {
  const mx = await openMemex({ path: join(dir, 'memex.db'), durability: 'full', minFreeBytes: 1 });
  opened.push(mx);
  return mx;
};
const writesCheck = async (mx: Memex) => (await mx.health()).checks.find((c) => c.name === 'writes')!;

describe('filesystem faults (a 3 MiB tmpfs)', () => {
  it('disk full: SQLITE_FULL, every acknowledged write kept, reads work, health not ok; space freed, writes resume', async () => {
    const filler = join(dir, 'filler');
    writeFileSync(filler, Buffer.alloc(1024 * 1024, 1));
    const mx = await open();
    const acked = new Map<string, string>();
    let failure: unknown;
    for (let i = 0; i < 10_000 && failure === undefined; i++) {
      const value = `${i}:${'v'.repeat(4000)}`;
      try {
        await mx.kv.set(`k${i}`, value);
        acked.set(`k${i}`, value);
      } catch (e) {
        failure = e;
      }
    }
    expect(failure).toBeInstanceOf(StorageError);
    expect(failure).toMatchObject({ code: 'storage_error', driverCode: 'SQLITE_FULL' });
    expect(acked.size).toBeGreaterThan(10);
    expect(await mx.kv.get('k0')).toBe(acked.get('k0'));
    expect((await writesCheck(mx)).ok).toBe(false);
    expect((await mx.health()).ok).toBe(false);

    rmSync(filler);
    await mx.kv.set('after', 'room again');
    expect(await mx.kv.get('after')).toBe('room again');
    expect((await writesCheck(mx)).ok).toBe(true);
    expect((await mx.health()).ok).toBe(true);
    expect((await mx.stats()).storageErrors.SQLITE_FULL).toBeGreaterThanOrEqual(1);
    await mx.close();
    const again = await open();
    for (const [k, v] of acked) expect(await again.kv.get(k), k).toBe(v);
    expect(await again.kv.get(`k${acked.size}`)).toBeUndefined(); // the write that failed left nothing
    expect(await again.kv.get('after')).toBe('room again');
  });
});
