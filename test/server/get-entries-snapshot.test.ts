// `kv.getEntries` over HTTP — what a remote `update` and `transaction` read — answers from one
// snapshot: while another process rewrites 200 keys together, every answer shows them all at one
// value. (Read key by key, an answer could mix two states, and a read-only remote transaction
// built on it would return a state that never existed.)
import { afterEach, describe, expect, it } from 'vitest';
import { startServe } from '../helpers/serve-process.js';
import { spawnUntil, here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(cleanupTemp);

const KEYS = Array.from({ length: 200 }, (_, i) => `s${i}`);

describe('kv.getEntries over HTTP', () => {
  it('reads every key from one snapshot while another process rewrites them all at once', async () => {
    const path = tempDbPath();
    const server = await startServe(['--path', path]);
    const writer = await spawnUntil(here(import.meta.url, '../fixtures/batch-writer.ts'), [path, String(KEYS.length)], 'ready', 'its first batch');
    try {
      const seen = new Set<number>();
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${server.url}/v1/kv/getEntries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ keys: KEYS }),
        });
        expect(res.status).toBe(200);
        const values = ((await res.json()) as { result: { value: number }[] }).result.map((e) => e.value);
        expect(new Set(values), `answer ${i} mixes batches`).toEqual(new Set([values[0]]));
        seen.add(values[0]!);
      }
      // The writer really wrote while we read: the answers saw many batches.
      expect(seen.size).toBeGreaterThan(10);
    } finally {
      writer.child.stdin!.end();
      expect((await writer.exited).code).toBe(0);
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
