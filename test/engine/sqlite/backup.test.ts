// mx.backup(path): an online, consistent copy while writes go on.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openMemex, ValidationError } from '../../../src/index.js';
import { tempDbPath } from '../../helpers/tmp.js';
import { closeAfterEach } from '../../helpers/stores.js';

const track = closeAfterEach();

describe('backup on SQLite', () => {
  it('copies every write acknowledged before it began, consistently, while writes go on; the copy opens with integrity ok', async () => {
    const mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
    track(mx);
    await mx.kv.setMany(Array.from({ length: 500 }, (_, i) => ({ key: `before${i}`, value: i })));
    await mx.kv.transaction((tx) => {
      tx.set('a', 50);
      tx.set('b', 50);
    });
    // Transfers keep a + b = 100 in every committed state; they run during the backup.
    let stop = false;
    const mover = (async () => {
      let n = 0;
      while (!stop) {
        await mx.kv.transaction((tx) => {
          const a = tx.get<number>('a')!;
          tx.set('a', a - 1);
          tx.update<number>('b', (b = 0) => b + 1);
        });
        n++;
        // Yield to the event loop: a write resolves in microtasks, and a loop of them alone would
        // starve the backup, which copies its pages between event-loop turns.
        await new Promise((r) => setImmediate(r));
      }
      return n;
    })();
    const target = tempDbPath('backup.db');
    await mx.backup(target);
    stop = true;
    expect(await mover).toBeGreaterThan(0);

    const raw = new Database(target, { readonly: true });
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const copy = await openMemex({ path: target });
    track(copy);
    expect(await copy.kv.getMany(Array.from({ length: 500 }, (_, i) => `before${i}`))).toEqual(Array.from({ length: 500 }, (_, i) => i));
    const [a, b] = await copy.kv.getMany<number>(['a', 'b']);
    expect(a! + b!).toBe(100);
    expect((await copy.health()).ok).toBe(true);
  });

  it('refuses a path that is not a non-empty string', async () => {
    const mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
    track(mx);
    await expect(mx.backup('')).rejects.toBeInstanceOf(ValidationError);
  });
});
