import type { FastifyInstance } from 'fastify';
import type { Memex, MemexStats } from '../api/memex.js';
import { problemOf } from '../contract/problem.js';
import { sendProblem, type ServerParts } from './parts.js';
import { allows } from './tokens.js';

/** One sample of `GET /v1/stats/watch`: rates over the last interval. */
export interface StatsSample {
  readonly at: number;
  /** Writes of every process per second, from the change feed (its newest seq). */
  readonly writesPerSec: number;
  /** Operations (reads and writes) this server ran per second. */
  readonly opsPerSec: number;
  /** Write transactions of this server that waited for another connection's lock, in the interval. */
  readonly lockWaits: number;
  readonly lockWaitMsMax: number;
  /** Cache hits / (hits + misses) of this server so far; `null` before its first cache read. */
  readonly cacheHitRate: number | null;
  readonly lastSeq: number;
  /** Records per store, all namespaces. */
  readonly records: Readonly<Record<string, number>>;
}

const sampleOf = (prev: MemexStats, cur: MemexStats, seconds: number): StatsSample => {
  const hits = cur.stores.cache?.hits ?? 0;
  const misses = cur.stores.cache?.misses ?? 0;
  const ops = (s: MemexStats) => s.reads + s.writes;
  return {
    at: Date.now(),
    writesPerSec: Math.max(0, cur.lastSeq - prev.lastSeq) / seconds,
    opsPerSec: Math.max(0, ops(cur) - ops(prev)) / seconds,
    lockWaits: cur.lock.waits - prev.lock.waits,
    lockWaitMsMax: cur.lock.maxWaitMs,
    cacheHitRate: hits + misses === 0 ? null : hits / (hits + misses),
    lastSeq: cur.lastSeq,
    records: Object.fromEntries(Object.entries(cur.stores).map(([k, v]) => [k, v.records])),
  };
};

async function* samples(memex: Memex, intervalMs: number, stopped: () => boolean): AsyncGenerator<StatsSample> {
  let prev = await memex.stats();
  let prevAt = performance.now();
  while (!stopped()) {
    await new Promise((r) => setTimeout(r, intervalMs).unref());
    if (stopped()) return;
    const cur = await memex.stats();
    const now = performance.now();
    yield sampleOf(prev, cur, (now - prevAt) / 1000);
    prev = cur;
    prevAt = now;
  }
}

/**
 * `GET /v1/stats/watch?intervalMs=1000`: live statistics as Server-Sent Events, one `data:`
 * sample per interval (250..60000 ms) — what the inspector's chart draws. They span every
 * namespace, so they need an admin token (as `memex.stats` does).
 */
export function registerStatsWatch(app: FastifyInstance, parts: ServerParts): void {
  app.get('/v1/stats/watch', async (req, reply) => {
    if (req.principal && !allows(req.principal, null, 'admin'))
      return sendProblem(reply, problemOf('forbidden', 403, 'live statistics span every namespace: they need an admin token ("*")'));
    const raw = (req.query as { intervalMs?: string }).intervalMs;
    const intervalMs = raw === undefined ? 1000 : Number(raw);
    if (!Number.isInteger(intervalMs) || intervalMs < 250 || intervalMs > 60_000)
      return sendProblem(
        reply,
        problemOf('invalid_input', 400, 'intervalMs: must be an integer from 250 to 60000', {
          field: 'intervalMs',
          reason: 'must be an integer from 250 to 60000',
        }),
      );
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': memex stats\n\n');
    let stopped = false;
    const end = () => {
      stopped = true;
      parts.streams.delete(end);
      if (!res.writableEnded) res.end();
    };
    parts.streams.add(end);
    req.raw.on('close', end);
    try {
      for await (const s of samples(parts.memex, intervalMs, () => stopped)) res.write(`data: ${JSON.stringify(s)}\n\n`);
    } catch (e) {
      if (!stopped) res.write(`event: error\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
      end();
    }
  });
}
