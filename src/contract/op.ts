import { ValidationError } from '../errors.js';
import { z } from 'zod';
import type { MemexScope } from '../api/memex.js';
import type { Memex } from '../api/memex.js';
import type { Holds } from './holds.js';

/** Who may call an operation: a token's `access` must be at least this. */
export type Access = 'read' | 'write' | 'admin';

/**
 * How the client may resend an operation after a network error: `safe` (a read, or a write whose
 * repetition changes nothing), `keyed` (a write: resent with the same `Idempotency-Key`, so the
 * server applies it once), `never` (the caller learns of the failure instead).
 */
export type Retry = 'safe' | 'keyed' | 'never';

/** What a handler gets besides its scope: the root store, for the operations that are not namespaced. */
export interface OpContext {
  readonly memex: Memex;
  /** The server's version (package.json). */
  readonly version: string;
  /** Lock leases and getOrSet claims held for remote callers. */
  readonly holds: Holds;
  /** Whether the caller may read namespace `ns` (an operation on the whole store filters by it). */
  readonly mayRead: (ns: string) => boolean;
  /** The store's effective settings as the server was configured (no secrets), for `memex.info`. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/**
 * One public operation, declared once: its route, its wire schemas (for the OpenAPI document and
 * the clients), an example, who may call it, and how it maps onto the public `Memex` interface.
 * Every operation is `POST /v1/<store>/<name>` with a JSON body `{ ns?, ...args }` and answers
 * `{ result }` (no `result` when the method resolved `undefined`).
 *
 * The stores validate the arguments (their rules are declared once, there): the server checks
 * only the envelope, so a remote caller gets exactly the `ValidationError` an embedded one gets.
 */
export interface Op<A extends z.ZodObject = z.ZodObject, R extends z.ZodType = z.ZodType> {
  readonly id: string;
  readonly summary: string;
  readonly access: Access;
  readonly retry: Retry;
  /** The arguments (the body without `ns`). */
  readonly args: A;
  /** The `result` of the answer. */
  readonly result: R;
  readonly example: { readonly args: z.input<A>; readonly result?: z.output<R> };
  /**
   * A step of a protocol (what `update`, `getOrSet` or `withLock` are made of) rather than a store
   * method: the remote client counts the method, not its steps, in its `stats()`.
   */
  readonly internal?: boolean;
  /** Whether the operation works on a namespace (`ns` in the body, checked against the token). */
  readonly scoped: boolean;
  run(scope: MemexScope, args: Record<string, unknown>, ctx: OpContext): Promise<unknown>;
}

/** Declares an operation; see {@link Op}. */
export function op<A extends z.ZodObject, R extends z.ZodType>(
  o: Omit<Op<A, R>, 'scoped' | 'retry'> & { scoped?: boolean; retry?: Retry },
): Op<A, R> {
  return { scoped: true, retry: o.access === 'read' ? 'safe' : 'keyed', ...o };
}

/**
 * A field of `args` that `op` does not take, as the error that refuses it: a misspelled `options`
 * would otherwise be dropped and the write done without the compare-and-set the caller asked for.
 * Only the top level: the stores refuse unknown fields inside (options, queries, inputs).
 */
export function unknownField(op: Op, args: Record<string, unknown>): ValidationError | undefined {
  const known = Object.keys(op.args.shape);
  const field = Object.keys(args).find((k) => !known.includes(k));
  if (field === undefined) return undefined;
  return new ValidationError(
    field,
    `unknown field for ${op.id}: it takes ${known.length === 0 ? 'no arguments' : known.join(', ')}${op.scoped ? ' (and ns)' : ''}`,
  );
}

/** The route of an operation: `kv.get` -> `/v1/kv/get`. */
export const opPath = (id: string): string => `/v1/${id.replace('.', '/')}`;

/** Common wire pieces. */
export const key = z.string().min(1).max(512).describe('A record key: any non-empty string of at most 512 UTF-8 bytes.');
export const json = z.unknown().describe('Any JSON value.');
export const ttlMs = z.number().int().positive().describe('Expire this many ms from now.');
export const ifVersion = z.number().int().min(0).describe('Compare-and-set: write only if the current version is this one (0 = only if absent).');
export const ns = z
  .string()
  .describe('The namespace: segments of [A-Za-z0-9._-] joined by "/". Omitted means "default".')
  .meta({ examples: ['acme/users/42'] });
