// `memex serve` as a process, with client processes over the network: no update lost under
// contention (on SQLite and on PostgreSQL), every acknowledged write kept through SIGTERM under
// load and through SIGKILL, and a server without tokens refuses to listen beyond loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.js';
import { startServe } from '../helpers/serve-process.js';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const CLIENT = here(import.meta.url, '../fixtures/http-client.ts');
const PROCS = 4;
const CALLERS = 16;

afterEach(async () => {
  cleanupTemp();
  await dropSchemas();
});

function runClients(url: string, mode: 'update' | 'sets', count: number, keys: number, onLine: (line: string) => void = () => {}) {
  return Array.from({ length: PROCS }, (_, p) =>
    watchChild(spawnScript(CLIENT, [url, mode, String(CALLERS), String(count), String(keys), String(p)]), onLine),
  );
}

describe('memex serve with client processes', () => {
  it.each([
    ['sqlite', () => ['--path', tempDbPath()]],
    ['postgres', () => ['--url', PG_URL, '--schema', freshSchema()]],
  ])(`%s: ${PROCS} client processes x ${CALLERS} callers updating the same keys lose no update`, async (_engine, args) => {
    const server = await startServe(args());
    try {
      const acked: Record<string, number> = {};
      const exits = await Promise.all(
        runClients(server.url, 'update', 8, 6, (line) => {
          if (line === 'connected') return;
          for (const [k, n] of Object.entries((JSON.parse(line) as { acked: Record<string, number> }).acked)) acked[k] = (acked[k] ?? 0) + n;
        }),
      );
      for (const e of exits) expect(e, e.stderr).toMatchObject({ code: 0 });
      expect(Object.values(acked).reduce((a, b) => a + b, 0)).toBe(PROCS * CALLERS * 8);
      const mx = await openMemex({ url: server.url });
      const keys = Object.keys(acked).sort();
      const stored = await mx.scope('load').kv.getMany(keys);
      expect(Object.fromEntries(keys.map((k, i) => [k, stored[i]]))).toEqual(acked);
      await mx.close();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)('%s of the server under load: after a restart every acknowledged write is there', async (signal) => {
    const path = tempDbPath();
    const server = await startServe(['--path', path]);
    const acks: string[] = [];
    let connected = 0;
    let enough!: () => void;
    const started = new Promise<void>((r) => (enough = r));
    // Kill only once every client is connected and 300 writes are acknowledged: a client still
    // connecting when the server dies would fail for a reason this test is not about.
    const clients = runClients(server.url, 'sets', 100_000, 0, (line) => {
      if (line === 'connected') connected++;
      if (line.startsWith('ack ')) acks.push(line.slice(4));
      if (connected === PROCS && acks.length >= 300) enough();
    });
    await started;
    server.child.kill(signal);
    const exit = await server.exited;
    if (signal === 'SIGTERM') expect(exit, exit.stderr).toMatchObject({ code: 0 }); // drained and closed the store
    for (const e of await Promise.all(clients)) expect(e, e.stderr).toMatchObject({ code: 0 });
    const again = await startServe(['--path', path]);
    try {
      const mx = await openMemex({ url: again.url });
      const got: unknown[] = [];
      for (let i = 0; i < acks.length; i += 1000) got.push(...(await mx.scope('load').kv.getMany(acks.slice(i, i + 1000))));
      const missing = acks.filter((_, i) => got[i] === undefined);
      expect(missing).toEqual([]);
      expect(acks.length).toBeGreaterThanOrEqual(300);
      await mx.close();
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('without --tokens it refuses to listen beyond loopback, with one clear line and exit code 1', async () => {
    await expect(startServe(['--path', tempDbPath(), '--host', '0.0.0.0'])).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without --tokens/);
  });
});
