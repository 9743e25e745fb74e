// What every route module shares — the server's parts, problem answers, the namespace a request
// may use — one floor below app.ts, which registers the routes, so that no route imports it back.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Memex, MemexScope } from '../api/memex.js';
import type { Op } from '../contract/index.js';
import { problemOf, toProblem, type Problem } from '../contract/problem.js';
import { validateNamespace } from '../values/namespace.js';
import type { ServerHolds } from './holds.js';
import type { IdempotencyCache } from './idempotency.js';
import type { ServerMetrics } from './metrics.js';
import { allows, type Principal, type Tokens } from './tokens.js';

/** Ends an open event stream. */
export type WatchStreams = Set<() => void>;

/** What each route handler shares. */
export interface ServerParts {
  readonly memex: Memex;
  readonly tokens: Tokens | undefined;
  readonly holds: ServerHolds;
  readonly idempotency: IdempotencyCache;
  readonly metrics: ServerMetrics;
  readonly streams: WatchStreams;
  /** The store's effective settings, reported by `memex.info`. */
  readonly settings: Readonly<Record<string, unknown>> | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Sends a problem+json answer. */
export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  if (p.code === 'lock_timeout' || p.status === 503) void reply.header('retry-after', '1');
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** The scope a request names, after the token's namespace rules; a problem when refused. */
export function scopeFor(parts: ServerParts, req: FastifyRequest, ns: unknown, access: Op['access']): MemexScope | Problem {
  let name: string;
  try {
    name = ns === undefined ? 'default' : validateNamespace(ns, 'ns');
  } catch (e) {
    return toProblem(e);
  }
  if (req.principal && !allows(req.principal, name, access)) {
    parts.metrics.rejected.inc({ reason: 'forbidden' });
    return problemOf(
      'forbidden',
      403,
      `this token may not ${access === 'read' ? 'read' : access === 'write' ? 'write' : 'administer'} namespace "${name}"`,
    );
  }
  return name === 'default' ? parts.memex : parts.memex.scope(name);
}
