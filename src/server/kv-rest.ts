import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, ValidationError } from '../errors.js';
import { problemOf, toProblem } from '../contract/problem.js';
import { scopeFor, sendProblem, type ServerParts } from './parts.js';

/**
 * kv the HTTP way, for curl and for clients that speak HTTP caching: `GET /v1/kv/{key}` answers
 * the value with an `ETag` (its version), `PUT` writes the body as the value (`If-Match: "<version>"`
 * or `If-None-Match: *` make it a compare-and-set; `?ttlMs=` sets an expiry), `DELETE` removes.
 * A failed precondition is 412. `?ns=` names the namespace.
 */
export function registerKvRest(app: FastifyInstance, parts: ServerParts): void {
  const scope = (req: FastifyRequest, reply: FastifyReply, access: 'read' | 'write') => {
    // A misspelled parameter (`?ttl=`, `?namespace=`) is refused, never ignored: it would write
    // without the expiry, or to another namespace, than the caller asked for.
    const allowed = req.method === 'PUT' ? ['ns', 'ttlMs'] : ['ns'];
    const unknown = Object.keys(req.query as object).find((k) => !allowed.includes(k));
    if (unknown !== undefined) {
      void sendProblem(
        reply,
        toProblem(new ValidationError(unknown, `is not a parameter of ${req.method} /v1/kv/{key} (it takes ${allowed.join(', ')})`)),
      );
      return undefined;
    }
    const s = scopeFor(parts, req, (req.query as { ns?: string }).ns, access);
    if ('status' in s) {
      void sendProblem(reply, s);
      return undefined;
    }
    return s;
  };
  const keyOf = (req: FastifyRequest) => (req.params as { key: string }).key;
  const precondition = (req: FastifyRequest): number | undefined => {
    const m = req.headers['if-match'];
    if (req.headers['if-none-match'] === '*') return 0;
    if (m === undefined) return undefined;
    const v = /^"?(\d+)"?$/.exec(m.trim());
    if (!v) throw new ValidationError('If-Match', 'must be the ETag of a read ("<version>")');
    return Number(v[1]);
  };
  const answer = (reply: FastifyReply, e: unknown) => {
    const p = toProblem(e);
    return sendProblem(reply, e instanceof ConflictError ? { ...p, status: 412 } : p);
  };

  app.get('/v1/kv/:key', async (req, reply) => {
    const s = scope(req, reply, 'read');
    if (!s) return reply;
    try {
      const e = await s.kv.getEntry(keyOf(req));
      if (!e) return sendProblem(reply, problemOf('not_found', 404, 'no such key'));
      return reply.header('etag', `"${e.version}"`).send(e.value);
    } catch (e) {
      return answer(reply, e);
    }
  });
  app.put('/v1/kv/:key', async (req, reply) => {
    const s = scope(req, reply, 'write');
    if (!s) return reply;
    try {
      const ttl = (req.query as { ttlMs?: string }).ttlMs;
      if (ttl !== undefined && !/^\d+$/.test(ttl)) throw new ValidationError('ttlMs', 'must be a whole number of milliseconds');
      const ifVersion = precondition(req);
      const options = { ...(ttl === undefined ? {} : { ttlMs: Number(ttl) }), ...(ifVersion === undefined ? {} : { ifVersion }) };
      const { version } = await s.kv.set(keyOf(req), req.body, options);
      return reply.header('etag', `"${version}"`).send({ version });
    } catch (e) {
      return answer(reply, e);
    }
  });
  app.delete('/v1/kv/:key', async (req, reply) => {
    const s = scope(req, reply, 'write');
    if (!s) return reply;
    try {
      const ifVersion = precondition(req);
      const deleted = await s.kv.delete(keyOf(req), ifVersion === undefined ? undefined : { ifVersion });
      return reply.send({ deleted });
    } catch (e) {
      return answer(reply, e);
    }
  });
}
