// `memex serve` exits on SIGTERM within its drain timeout, whoever started it: orphaned by a
// parent that has exited (nobody reads its stderr any more: it used to finish its shutdown and
// then hang at exit, retrying the write of its last log line forever), and with a request that
// never completes (its connection is cut at the deadline).
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { startServe } from '../helpers/serve-process.js';
import { here, runScript } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  cleanupTemp();
});

/** Whether `pid` still runs (a zombie nobody reaped has exited). Not our child: no exit event to wait for. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('memex serve on SIGTERM', () => {
  it('orphaned (its parent exited, nobody reads its stderr): it drains, closes the store and exits', async () => {
    const path = tempDbPath();
    const [line] = await runScript(here(import.meta.url, '../fixtures/serve-launcher.ts'), [path, '3000']);
    const { pid } = JSON.parse(line!) as { pid: number };
    started.push(pid);
    process.kill(pid, 'SIGTERM');
    const t0 = performance.now();
    await expect.poll(() => alive(pid), { timeout: 3000 + 2000, interval: 50 }).toBe(false);
    expect(performance.now() - t0).toBeLessThan(3000 + 2000);
    const mx = await openMemex({ path });
    expect(await mx.kv.get('before-sigterm')).toBe(1);
    expect((await mx.health()).ok).toBe(true);
    await mx.close();
  });

  it('a request that never completes is cut at the drain timeout, and the server exits 0', async () => {
    const server = await startServe(['--path', tempDbPath(), '--drain-timeout-ms', '1500']);
    const { port } = new URL(server.url);
    // Headers of a body that never comes: the request stays in flight.
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', r));
    const cut = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.write('POST /v1/kv/set HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"key":');
    // The server has the request once it answers another one on a second connection after it.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const t0 = performance.now();
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    await cut;
    expect(exit.code, exit.stderr).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1500 + 1000);
    expect(exit.stderr).toMatch(/closing their connections/);
  });
});
