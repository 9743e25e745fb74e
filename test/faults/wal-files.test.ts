// The -wal and -shm files deleted under an open store (a real unlink, a real SIGKILL): SQLite
// would go on committing into the unlinked WAL and lose every later write when the process dies.
// Memex notices after the commit, checkpoints into the database and re-creates the files before
// it acknowledges, so nothing acknowledged is lost.
import type { ChildProcess } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL'); // a failed test must not leave a writer behind
  cleanupTemp();
});

const FIXTURE = here(import.meta.url, '../fixtures/wal-remover.ts');

describe('WAL and shm files removed while the store is open', () => {
  for (const durability of ['full', 'normal'] as const) {
    it(`durability '${durability}': every write acknowledged after the removal survives a SIGKILL`, async () => {
      const path = tempDbPath();
      const child = spawnScript(FIXTURE, [path, durability]);
      children.push(child);
      const acked: string[] = [];
      let health = '';
      let waiting!: () => void;
      const ready = new Promise<void>((r) => (waiting = r));
      const exited = watchChild(child, (line) => {
        if (line.startsWith('acked ')) acked.push(line.slice(6));
        if (line.startsWith('health ')) health = line.slice(7);
        if (line === 'waiting') waiting();
      });
      await unlessExited(ready, exited, 'it wrote everything');
      expect(existsSync(`${path}-wal`)).toBe(true); // re-created
      child.kill('SIGKILL');
      await exited;

      expect(JSON.parse(health)).toMatchObject({ name: 'wal', ok: true });
      expect(health).toContain('re-created 1x');
      const mx = await openMemex({ path });
      const keys = (await mx.kv.list({ limit: 1000 })).items.map((e) => e.key);
      expect(acked.length).toBeGreaterThanOrEqual(40);
      if (durability === 'full') expect(acked).toHaveLength(40); // repaired at the first commit
      // 'normal' looks at most every 100 ms: the commits before that look reached only the
      // unlinked WAL, and the one that found the removal checkpointed them before it was acknowledged.
      expect(keys.sort()).toEqual([...acked].sort());
      expect((await mx.health()).ok).toBe(true);
      await mx.close();
    });
  }

  it('while another connection keeps the old files, each commit is checkpointed and health says to restart it', async () => {
    const path = tempDbPath();
    const a = await openMemex({ path, durability: 'full' });
    const b = await openMemex({ path, durability: 'full' });
    await a.kv.set('x', 1);
    unlinkSync(`${path}-wal`);
    unlinkSync(`${path}-shm`);
    await a.kv.set('y', 2);
    const wal = (await a.health()).checks.find((c) => c.name === 'wal')!;
    expect(wal.ok).toBe(false);
    expect(wal.detail).toContain(
      'removed while open; each commit is checkpointed into the database until the other processes using it are restarted',
    );
    expect(await b.kv.get('y')).toBe(2); // the old files still join the two connections
    await b.close();
    await a.kv.set('z', 3); // alone now: the files are re-created
    expect((await a.health()).checks.find((c) => c.name === 'wal')).toMatchObject({ ok: true });
    expect(existsSync(`${path}-wal`)).toBe(true);
    const c = await openMemex({ path });
    expect([await c.kv.get('x'), await c.kv.get('y'), await c.kv.get('z')]).toEqual([1, 2, 3]);
    await c.close();
    await a.close();
  });
});
