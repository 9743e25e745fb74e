import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MemexScope } from '../api/memex.js';
import { OPS, opPath, unknownField, type Op } from '../contract/index.js';
import { problemOf, toProblem, type Problem } from '../contract/problem.js';
import { decodeWire, encodeWire } from '../contract/wire.js';
import { ValidationError } from '../errors.js';
import { typeName } from '../values/keys.js';
import { VERSION } from '../version.js';
import { scopeFor, sendProblem, type ServerParts } from './parts.js';
import { allows } from './tokens.js';

interface Outcome {
  readonly status: number;
  readonly body: unknown;
}

const isProblem = (x: unknown): x is Problem => typeof x === 'object' && x !== null && 'type' in x && 'status' in x && 'code' in x;

/** One route per operation of the contract: `POST /v1/<store>/<name>`, body `{ ns?, ...args }`, answer `{ result }`. */
export function registerOps(app: FastifyInstance, parts: ServerParts): void {
  for (const op of OPS) {
    app.post(opPath(op.id), async (req, reply) => {
      const outcome = await handle(parts, op, req);
      return outcome.status === 200 ? reply.send(outcome.body) : sendProblem(reply, outcome.body as Problem);
    });
  }
}

async function handle(parts: ServerParts, op: Op, req: FastifyRequest): Promise<Outcome> {
  const body: unknown = req.body === undefined || req.body === null ? {} : decodeWire(req.body);
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return fail(new ValidationError('body', `must be a JSON object { ns?, ...arguments }, got ${typeName(body)}`));
  const { ns, ...args } = body as Record<string, unknown>;
  let scope: MemexScope;
  if (op.scoped) {
    const s = scopeFor(parts, req, ns, op.access);
    if (isProblem(s)) return { status: s.status, body: s };
    scope = s;
  } else {
    // Operations on the whole store: admin ones need a token that reaches every namespace.
    if (req.principal && op.access !== 'read' && !allows(req.principal, null, op.access))
      return { status: 403, body: problemOf('forbidden', 403, `${op.id} needs an admin token for every namespace ("*")`) };
    scope = parts.memex;
  }
  // After the token's check: a caller that may not call this learns nothing about its fields.
  const unknown = unknownField(op, op.scoped || ns === undefined ? args : { ns, ...args });
  if (unknown) return fail(unknown);
  const exec = async (): Promise<Outcome> => {
    try {
      const mayRead = (name: string) => !req.principal || allows(req.principal, name, 'read');
      const result = await op.run(scope, args, { memex: parts.memex, holds: parts.holds, version: VERSION, mayRead, settings: parts.settings });
      // The wire encoding also answers: a typed array in a value goes back as a typed array.
      return { status: 200, body: result === undefined ? {} : { result: encodeWire(result) } };
    } catch (e) {
      return fail(e);
    }
  };
  const key = req.headers['idempotency-key'];
  if (typeof key === 'string' && op.access !== 'read') {
    try {
      return await parts.idempotency.run(req.principal?.name ?? '', op.id, key, req.body, exec);
    } catch (e) {
      return fail(e);
    }
  }
  return exec();
}

function fail(e: unknown): Outcome {
  const p = toProblem(e);
  return { status: p.status, body: p };
}
