import type { z } from 'zod';
import type { StoreName } from '../api/stores.js';
import { op, type Access, type Op, type Retry } from './op.js';

/**
 * An operation that is exactly one store method: `<store>.<method>` called with the arguments in
 * the order `args` declares them. From this one declaration come the HTTP route, the OpenAPI
 * entry, the MCP schema, the server's call and the remote client's method (client/remote-methods.ts).
 */
export interface MethodOp<A extends z.ZodObject = z.ZodObject, R extends z.ZodType = z.ZodType> extends Op<A, R> {
  readonly method: string;
  /** The method's parameters, in order: the keys of `args`. */
  readonly params: readonly string[];
  /** The wire's answer back into what the method returns (the remote client's side), when JSON alone cannot say it. */
  readonly revive?: (wire: unknown) => unknown;
}

/** What one method's operation declares (its id and call are derived). */
export interface MethodDef<A extends z.ZodObject = z.ZodObject, R extends z.ZodType = z.ZodType> {
  readonly summary: string;
  readonly access: Access;
  readonly retry?: Retry;
  readonly args: A;
  readonly result: R;
  readonly example: { readonly args: z.input<A>; readonly result?: z.output<R> };
  /** What the method returned, as the wire carries it (a typed array as plain numbers), when it is not JSON already. */
  readonly answer?: (result: unknown) => unknown;
  /** The inverse of `answer`, on the remote client. */
  readonly revive?: (wire: unknown) => unknown;
}

type Method = (...args: never[]) => unknown;

/**
 * The operations of store `store`, one per method of its interface `S` except the protocols named
 * in `Hand` (methods written by hand on the client, over these operations — profiles' `update`): a
 * method of `S` without an entry, or an entry that is no method of `S`, does not compile.
 *
 * @example
 * ```ts
 * export const blocksOps = methodOps<BlocksStore>()('blocks', { get: { … }, set: { … }, … });
 * export const profilesOps = methodOps<ProfilesStore, 'update'>()('profiles', { get: { … }, … });
 * ```
 */
export const methodOps =
  <S, Hand extends keyof S = never>() =>
  (store: StoreName, defs: { readonly [M in Exclude<keyof S, Hand> as S[M] extends Method ? M : never]: MethodDef }): MethodOp[] =>
    Object.entries(defs as Record<string, MethodDef>).map(([method, d]) => {
      const params = Object.keys(d.args.shape);
      const { answer, revive, ...decl } = d;
      const o = op({
        ...decl,
        id: `${store}.${method}`,
        run: async (scope, a) => {
          const target = (scope as unknown as Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>>)[store]!;
          const result = await target[method]!(...params.map((p) => a[p]));
          return answer ? answer(result) : result;
        },
      });
      return { ...o, method, params, ...(revive ? { revive } : {}) };
    });
