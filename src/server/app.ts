import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import type { Memex } from '../api/memex.js';
import { openApiDocument } from '../contract/openapi.js';
import { problemOf, toProblem } from '../contract/problem.js';
import { ServerHolds } from './holds.js';
import { IdempotencyCache } from './idempotency.js';
import { ServerMetrics } from './metrics.js';
import { registerOps } from './ops-routes.js';
import { registerKvRest } from './kv-rest.js';
import { registerWatch } from './sse.js';
import { sendProblem, type ServerParts } from './parts.js';
import { registerMcp } from './mcp-route.js';
import { registerStatsWatch } from './stats-stream.js';
import { registerUi } from './ui-routes.js';
import type { Tokens } from './tokens.js';
import { VERSION } from '../version.js';

export interface ServerOptions {
  readonly memex: Memex;
  /** Bearer tokens; without them every caller is trusted (the CLI then listens on loopback only). */
  readonly tokens?: Tokens;
  /** A pino logger; `false` logs nothing. @default false */
  readonly logger?: Logger | false;
  /** Largest request body in bytes (-> 413). @default 8 MiB */
  readonly bodyLimit?: number;
  /** Requests per minute per token (-> 429); only with tokens. @default 60000 */
  readonly rateLimitPerMinute?: number;
  /** A request not answered in this time is cut (lock waits included). @default 300000 */
  readonly requestTimeoutMs?: number;
  /** Origins allowed by CORS; none by default (CORS off). */
  readonly corsOrigins?: readonly string[];
  /** `getOrSet` claims fail after this long without an answer. @default 60000 */
  readonly computeTimeoutMs?: number;
  /** The store's effective settings (no secrets), reported by `/v1/memex/info`. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/**
 * Builds the HTTP server over an open store: every operation of `src/contract` as a route, the
 * OpenAPI document, health, readiness and metrics. The caller listens and closes; closing the
 * server ends the holds it keeps but not the store.
 *
 * @example
 * ```ts
 * const mx = await openMemex({ path: './memex.db' });
 * const app = await buildServer({ memex: mx });
 * await app.listen({ host: '127.0.0.1', port: 7077 });
 * ```
 */
export async function buildServer(o: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.logger || undefined,
    logger: o.logger ? undefined : false,
    bodyLimit: o.bodyLimit ?? 8 * 1024 * 1024,
    requestTimeout: o.requestTimeoutMs ?? 300_000,
    // The stores refuse "__proto__" and "constructor" keys with their own ValidationError.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    return503OnClosing: true,
    // A key of 512 UTF-8 bytes is up to 1,536 characters percent-encoded.
    routerOptions: { maxParamLength: 2048 },
    genReqId: () => crypto.randomUUID(),
  }) as unknown as FastifyInstance;
  const parts: ServerParts = {
    memex: o.memex,
    tokens: o.tokens,
    holds: new ServerHolds(o.computeTimeoutMs ?? 60_000),
    idempotency: new IdempotencyCache(),
    metrics: new ServerMetrics(o.memex),
    streams: new Set(),
    settings: o.settings,
  };

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    if (err.statusCode === 413)
      return sendProblem(reply, problemOf('payload_too_large', 413, `the body is over the limit of ${o.bodyLimit ?? 8 * 1024 * 1024} bytes`));
    if (err.statusCode === 429) return sendProblem(reply, problemOf('rate_limited', 429, 'too many requests for this token; retry later'));
    if (err.statusCode === 415)
      return sendProblem(
        reply,
        problemOf('invalid_input', 415, 'send application/json', { field: 'content-type', reason: 'must be application/json' }),
      );
    if (err.statusCode === 400 && err.code?.startsWith('FST_'))
      return sendProblem(reply, problemOf('invalid_input', 400, `body: ${err.message}`, { field: 'body', reason: err.message }));
    return sendProblem(reply, toProblem(err));
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problemOf('not_found', 404, `no route ${req.method} ${req.url.split('?')[0]}`)));

  // Callback hooks, not async ones: each is on every request's path.
  app.addHook('onResponse', (req, reply, done) => {
    parts.metrics.requests.observe(
      { route: req.routeOptions.url ?? 'unknown', method: req.method, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
  const cors = new Set(o.corsOrigins ?? []);
  if (cors.size > 0)
    app.addHook('onRequest', (req, reply, done) => {
      const origin = req.headers.origin;
      if (!origin || !cors.has(origin)) return done();
      void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (req.method !== 'OPTIONS') return done();
      void reply
        .header('access-control-allow-methods', 'GET, POST, PUT, DELETE')
        .header('access-control-allow-headers', 'authorization, content-type, if-match, if-none-match, idempotency-key, last-event-id')
        .code(204)
        .send();
    });
  const tokens = parts.tokens;
  if (tokens)
    app.addHook('onRequest', (req, reply, done) => {
      if (!req.url.startsWith('/v1/') && !req.url.startsWith('/metrics') && !req.url.startsWith('/mcp')) return done();
      req.principal = tokens.authenticate(req.headers.authorization);
      if (req.principal) return done();
      parts.metrics.rejected.inc({ reason: 'unauthorized' });
      void sendProblem(reply.header('www-authenticate', 'Bearer'), problemOf('unauthorized', 401, 'a valid bearer token is required'));
    });
  // Per token: without tokens (loopback only, one trusted user) there is nobody to limit.
  if (parts.tokens)
    await app.register(rateLimit, {
      max: o.rateLimitPerMinute ?? 60_000,
      timeWindow: 60_000,
      keyGenerator: (req: FastifyRequest) => req.principal?.name ?? req.ip,
      errorResponseBuilder: (_req, ctx) => Object.assign(new Error(`rate limit of ${ctx.max} per minute`), { statusCode: 429 }),
    });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_req, reply) => {
    const h = await o.memex.health();
    // Anyone may ask whether the server is ready; what the checks say stays with admins (POST /v1/memex/health).
    return reply.code(h.ok ? 200 : 503).send({ ok: h.ok, checks: h.checks.map((c) => ({ name: c.name, ok: c.ok })) });
  });
  app.get('/metrics', async (req, reply) => {
    if (parts.tokens && req.principal?.access !== 'admin') return sendProblem(reply, problemOf('forbidden', 403, 'metrics need an admin token'));
    return reply.type(parts.metrics.registry.contentType).send(await parts.metrics.registry.metrics());
  });
  const doc = openApiDocument(VERSION);
  app.get('/openapi.json', async () => doc);

  registerOps(app, parts);
  registerKvRest(app, parts);
  registerWatch(app, parts);
  registerStatsWatch(app, parts);
  registerUi(app);
  registerMcp(app, parts, cors);
  app.addHook('preClose', async () => {
    for (const end of [...parts.streams]) end();
    await parts.holds.close();
  });
  return app;
}
