import type { FastifyInstance } from 'fastify';
import { scopeFor, sendProblem, type ServerParts } from './parts.js';
import { problemOf } from '../contract/problem.js';

const HEARTBEAT_MS = 15_000;

/**
 * `GET /v1/events/watch?ns=…&fromSeq=…`: the namespace's events as Server-Sent Events, each
 * `id: <seq>` and `data: <event JSON>`. A reconnecting client sends `Last-Event-ID` (or
 * `fromSeq`) and resumes after it, missing nothing the retention still holds. Without either it
 * starts from now. A comment line every 15 s keeps proxies from closing an idle stream.
 */
export function registerWatch(app: FastifyInstance, parts: ServerParts): void {
  app.get('/v1/events/watch', async (req, reply) => {
    const q = req.query as { ns?: string; fromSeq?: string; intervalMs?: string };
    const scope = scopeFor(parts, req, q.ns, 'read');
    if ('status' in scope) return sendProblem(reply, scope);
    const from = req.headers['last-event-id'] ?? q.fromSeq;
    const fromSeq = from === undefined ? await scope.events.lastSeq() : Number(from);
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 0)
      return sendProblem(
        reply,
        problemOf('invalid_input', 400, 'fromSeq: must be a non-negative integer', { field: 'fromSeq', reason: 'must be a non-negative integer' }),
      );
    const intervalMs = q.intervalMs === undefined ? undefined : Number(q.intervalMs);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': memex events\n\n');
    let stop: () => void = () => {};
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const end = () => {
      clearInterval(heartbeat);
      stop();
      parts.streams.delete(end);
      if (!res.writableEnded) res.end();
    };
    parts.streams.add(end);
    try {
      stop = scope.events.watch((e) => res.write(`id: ${e.seq}\ndata: ${JSON.stringify(e)}\n\n`), {
        fromSeq,
        ...(intervalMs !== undefined && Number.isFinite(intervalMs) ? { intervalMs } : {}),
      });
    } catch (e) {
      res.write(`event: error\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
      end();
      return;
    }
    req.raw.on('close', end);
  });
}
