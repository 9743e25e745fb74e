import { z } from 'zod';
import { OPS } from './index.js';
import { ns, opPath, type Op } from './op.js';
import { problem } from './problem.js';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return rest;
};
const problemRef = { $ref: '#/components/schemas/Problem' };
const errors = {
  default: { description: 'An error: problem details with the Memex code', content: { 'application/problem+json': { schema: problemRef } } },
};
const problemAnswer = (description: string) => ({ description, content: { 'application/problem+json': { schema: problemRef } } });

function operation(o: Op): Json {
  const body = o.scoped ? o.args.extend({ ns: ns.optional() }) : o.args;
  const hasResult = o.example.result !== undefined;
  return {
    operationId: o.id.replace('.', '_'),
    summary: o.summary,
    tags: [o.id.split('.')[0]],
    'x-memex-access': o.access,
    // How a client may resend after a network error: safe (a read), keyed (a write, resent with the
    // same Idempotency-Key and applied once), never (a protocol step: report the failure). The
    // document's info.description explains both extensions.
    'x-memex-retry': o.retry,
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: schemaOf(body, 'input'), example: o.scoped ? { ns: 'acme/users/42', ...o.example.args } : o.example.args },
      },
    },
    responses: {
      200: {
        description: 'Done; `result` is absent when the method has nothing to return (e.g. a key that is not there).',
        content: {
          'application/json': {
            schema: { type: 'object', properties: { result: schemaOf(o.result, 'output') }, additionalProperties: false },
            example: hasResult ? { result: o.example.result } : {},
          },
        },
      },
      ...errors,
    },
  };
}

const plain = (summary: string, example: unknown, type = 'application/json'): Json => ({
  summary,
  security: [],
  responses: { 200: { description: summary, content: { [type]: { schema: {}, example } } } },
});

/** The OpenAPI 3.1 document of the server, built from the contract (served at `/openapi.json`). */
export function openApiDocument(version: string): Json {
  const paths: Json = {};
  for (const o of OPS) paths[opPath(o.id)] = { post: operation(o) };
  const keyParam = {
    name: 'key',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The key, percent-encoded (any characters except the keys "." and "..", which URLs resolve away: use POST /v1/kv/get for those).',
  };
  const nsParam = { name: 'ns', in: 'query', required: false, schema: { type: 'string' }, description: 'The namespace (default "default").' };
  paths['/v1/kv/{key}'] = {
    get: {
      operationId: 'kv_rest_get',
      summary: 'The value of a key, with its version as the ETag.',
      tags: ['kv'],
      parameters: [keyParam, nsParam],
      responses: {
        200: {
          description: 'The value',
          headers: { ETag: { schema: { type: 'string' } } },
          content: { 'application/json': { schema: {}, example: ['apple'] } },
        },
        404: problemAnswer('`not_found`: no such key (or it expired).'),
        ...errors,
      },
    },
    put: {
      operationId: 'kv_rest_put',
      summary: 'Writes the body as the value; If-Match: "<version>" or If-None-Match: * make it a compare-and-set (412 when it fails).',
      tags: ['kv'],
      parameters: [
        keyParam,
        nsParam,
        { name: 'ttlMs', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } },
        { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } },
        { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string', enum: ['*'] } },
      ],
      requestBody: { required: true, content: { 'application/json': { schema: {}, example: ['apple', 'pear'] } } },
      responses: {
        200: {
          description: 'Written',
          content: { 'application/json': { schema: { type: 'object', properties: { version: { type: 'integer' } } }, example: { version: 18 } } },
        },
        412: problemAnswer('`version_conflict`: If-Match or If-None-Match did not hold; nothing written.'),
        ...errors,
      },
    },
    delete: {
      operationId: 'kv_rest_delete',
      summary: 'Removes a key (If-Match makes it conditional).',
      tags: ['kv'],
      parameters: [keyParam, nsParam, { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' } }],
      responses: {
        200: {
          description: 'Whether it existed',
          content: { 'application/json': { schema: { type: 'object', properties: { deleted: { type: 'boolean' } } }, example: { deleted: true } } },
        },
        412: problemAnswer('`version_conflict`: If-Match did not hold; nothing deleted.'),
        ...errors,
      },
    },
  };
  paths['/v1/events/watch'] = {
    get: {
      operationId: 'events_watch',
      summary: 'The namespace’s events as Server-Sent Events (id = seq); resume with Last-Event-ID or fromSeq.',
      tags: ['events'],
      parameters: [
        nsParam,
        { name: 'fromSeq', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
        { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
      ],
      responses: {
        200: {
          description: 'An event stream',
          content: { 'text/event-stream': { schema: { type: 'string' }, example: 'id: 17\ndata: {"seq":17,"op":"set"}\n\n' } },
        },
        ...errors,
      },
    },
  };
  paths['/v1/stats/watch'] = {
    get: {
      operationId: 'stats_watch',
      summary:
        'Live statistics as Server-Sent Events, one sample per interval: writes/s of every process (from the change feed), this server’s ops/s, lock waits, cache hit rate, last seq, records per store (admin: they span every namespace).',
      tags: ['memex'],
      parameters: [{ name: 'intervalMs', in: 'query', required: false, schema: { type: 'integer', minimum: 250, maximum: 60000, default: 1000 } }],
      responses: {
        200: {
          description: 'A stream of samples',
          content: {
            'text/event-stream': {
              schema: { type: 'string' },
              example:
                'data: {"at":1764650000000,"writesPerSec":812.5,"opsPerSec":40,"lockWaits":0,"lockWaitMsMax":0,"cacheHitRate":0.93,"lastSeq":90211,"records":{"kv":1200}}\n\n',
            },
          },
        },
        ...errors,
      },
    },
  };
  paths['/ui/'] = {
    get: {
      operationId: 'inspector',
      ...plain(
        'The web inspector (HTML). Its files hold no data; the data it shows comes from /v1 with the token typed into it.',
        '<!doctype html>…',
        'text/html',
      ),
    },
  };
  paths['/healthz'] = { get: { operationId: 'healthz', ...plain('The process is alive.', { ok: true }) } };
  paths['/readyz'] = {
    get: { operationId: 'readyz', ...plain('The store is healthy (503 otherwise).', { ok: true, checks: [{ name: 'storage', ok: true }] }) },
  };
  paths['/metrics'] = {
    get: {
      operationId: 'metrics',
      ...plain('Prometheus metrics (an admin token when tokens are configured).', 'memex_writes_total 12', 'text/plain'),
    },
  };
  paths['/openapi.json'] = { get: { operationId: 'openapi', ...plain('This document.', {}) } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Memex',
      version,
      description:
        'A memory store for AI agents over HTTP. Every operation is POST /v1/<store>/<name> with a JSON body { ns?, ...arguments } and answers { result }. Errors are application/problem+json with the Memex error code. Writes accept an Idempotency-Key header: a resent request with the same key is applied once. Each operation says in x-memex-retry how a client may resend it after a network error: safe (a read: resend freely), keyed (a write: resend only with the same Idempotency-Key), never (a step of a protocol: report the failure); and in x-memex-access the token access it needs (read, write, admin). A field an operation does not take is refused with 400 invalid_input naming it.',
    },
    servers: [{ url: 'http://127.0.0.1:7077' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from the server’s --tokens file (none needed when the server runs without one).',
        },
      },
      schemas: { Problem: schemaOf(problem, 'output') },
    },
    paths,
  };
}
