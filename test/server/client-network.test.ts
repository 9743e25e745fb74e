// The remote client when the network misbehaves, over real sockets: a write whose answer is lost
// is resent with its Idempotency-Key and applied once; a server that never answers is a
// StorageError ETIMEDOUT within the timeout; an unreachable one is ECONNREFUSED; a watcher
// resumes after the server restarts; a token over its rate is refused with 429.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openMemex, StorageError, type MemexEvent } from '../../src/index.js';
import { buildServer } from '../../src/server/index.js';
import { Tokens } from '../../src/server/tokens.js';
import { post } from '../helpers/http.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  cleanupTemp();
});

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));

/** Closes a server at once: its open (keep-alive) sockets are destroyed, not waited for. */
function tracked(s: Server): () => Promise<void> {
  const open = new Set<Socket>();
  s.on('connection', (c: Socket) => {
    open.add(c);
    c.on('close', () => open.delete(c));
  });
  return () =>
    new Promise<void>((r) => {
      for (const c of open) c.destroy();
      s.close(() => r());
    });
}

async function memexServer(
  path: string,
  port = 0,
  o: Partial<Parameters<typeof buildServer>[0]> = {},
): Promise<{ app: FastifyInstance; port: number }> {
  const memex = await openMemex({ path, durability: 'normal' });
  const app = await buildServer({ memex, ...o });
  await app.listen({ host: '127.0.0.1', port });
  closers.push(async () => {
    await app.close();
    await memex.close();
  });
  return { app, port: (app.server.address() as { port: number }).port };
}

describe('remote client on a bad network', () => {
  it('a write whose answer is lost is resent with the same Idempotency-Key and applied once', async () => {
    const { port } = await memexServer(tempDbPath());
    // A proxy that forwards the first request to the server but cuts the client off before the answer.
    let cut = 1;
    const proxy = createServer((client: Socket) => {
      const upstream = connect(port, '127.0.0.1');
      client.on('data', (d) => upstream.write(d));
      upstream.on('data', (d) => {
        if (cut > 0) {
          cut--;
          client.destroy();
          upstream.destroy();
        } else client.write(d);
      });
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
    const closeProxy = tracked(proxy);
    const proxyPort = await listen(proxy);
    closers.push(closeProxy);
    const mx = await openMemex({ url: `http://127.0.0.1:${port}` });
    closers.push(() => mx.close());
    const viaProxy = await openMemex({ url: `http://127.0.0.1:${proxyPort}` }).catch(() => undefined);
    // The connect call itself was the cut one; it is a read, retried.
    expect(viaProxy).toBeDefined();
    closers.push(() => viaProxy!.close());
    cut = 1;
    const msg = await viaProxy!.conversations.append('t', { role: 'user', content: 'exactly once' });
    expect(msg.content).toBe('exactly once');
    expect(cut).toBe(0); // an answer was really lost on the way
    expect((await mx.conversations.get('t'))?.messageCount).toBe(1);
  });

  it('a server that never answers is a StorageError ETIMEDOUT within the timeout; a closed port is ECONNREFUSED', async () => {
    const silent = createServer(() => {}); // accepts, reads nothing, answers nothing
    const closeSilent = tracked(silent);
    const port = await listen(silent);
    const t0 = performance.now();
    const err = await openMemex({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).driverCode).toBe('ETIMEDOUT');
    // Three attempts of 300 ms with short pauses between them: seconds, not the 30 s default, and
    // never a hang (the bound is loose: timers fire late on a loaded machine).
    expect(performance.now() - t0).toBeLessThan(3 * 300 + 2000);
    await closeSilent();
    const refused = await openMemex({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'storage_error', driverCode: 'ECONNREFUSED' });
  });

  it('a watcher resumes after the server restarts, missing nothing and repeating nothing', async () => {
    const path = tempDbPath();
    const first = await memexServer(path);
    const mx = await openMemex({ url: `http://127.0.0.1:${first.port}` });
    const seen: MemexEvent[] = [];
    let wake: () => void = () => {};
    const stop = mx.events.watch(
      (e) => {
        seen.push(e);
        wake();
      },
      { intervalMs: 10 },
    );
    const until = async (n: number) => {
      while (seen.length < n) await new Promise<void>((r) => (wake = r));
    };
    await mx.kv.set('a', 1);
    await until(1);
    // Restart on the same port while the stream is open; write through another server meanwhile.
    await closers.shift()!();
    const writer = await openMemex({ path, durability: 'normal' });
    await writer.kv.set('b', 2);
    await writer.kv.set('c', 3);
    await writer.close();
    await memexServer(path, first.port);
    await mx.kv.set('d', 4);
    await until(4);
    stop();
    expect(seen.map((e) => e.key)).toEqual(['a', 'b', 'c', 'd']);
    await mx.close();
  });

  it('a token over its rate is refused with 429 problem+json', async () => {
    const file = `${tempDir()}/tokens.json`;
    writeFileSync(file, JSON.stringify([{ token: 'rate-limited-token-0123', namespaces: ['*'], access: 'write' }]));
    const { port } = await memexServer(tempDbPath(), 0, { tokens: Tokens.fromFile(file), rateLimitPerMinute: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await post(`http://127.0.0.1:${port}`, '/v1/kv/get', { key: 'k' }, { authorization: 'Bearer rate-limited-token-0123' })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const a = await post(`http://127.0.0.1:${port}`, '/v1/kv/get', { key: 'k' }, { authorization: 'Bearer rate-limited-token-0123' });
    expect(a.body).toMatchObject({ status: 429, code: 'rate_limited' });
  });
});
