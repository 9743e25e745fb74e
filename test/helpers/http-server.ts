// Real memex servers for tests: in this process, over the real network stack (an ephemeral
// loopback port), each over a store opened by `open`. Stopped by `stopServers`.
import type { FastifyInstance } from 'fastify';
import type { Memex } from '../../src/index.js';
import { buildServer, type ServerOptions } from '../../src/server/index.js';

interface Running {
  app: FastifyInstance;
  memex: Memex;
  url: string;
}
const running = new Map<string, Promise<Running>>();

/** The server for `location`, started on first use with `open()`'s store. */
export function serverAt(location: string, open: () => Promise<Memex>, options: Omit<ServerOptions, 'memex'> = {}): Promise<Running> {
  let r = running.get(location);
  if (!r) {
    r = (async () => {
      const memex = await open();
      const app = await buildServer({ memex, ...options });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.server.address();
      if (!addr || typeof addr === 'string') throw new Error('no port');
      return { app, memex, url: `http://127.0.0.1:${addr.port}` };
    })();
    running.set(location, r);
  }
  return r;
}

/** Stops the server of `location` (if any) and closes its store: the next `serverAt` starts a new one. */
export async function stopServer(location: string): Promise<void> {
  const r = running.get(location);
  if (!r) return;
  running.delete(location);
  const s = await r.catch(() => undefined);
  if (!s) return;
  await s.app.close();
  await s.memex.close();
}

/** Stops every server started so far and closes its store. */
export async function stopServers(): Promise<void> {
  const all = [...running.values()];
  running.clear();
  for (const r of all) {
    const s = await r.catch(() => undefined);
    if (!s) continue;
    await s.app.close();
    await s.memex.close();
  }
}
