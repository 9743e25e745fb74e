import { z } from 'zod';
import { ConflictError, ValidationError } from '../errors.js';
import type { KvStore } from '../api/kv.js';
import { ifVersion, json, key, op, ttlMs } from './op.js';
import { MAX_BATCH_KEYS, MAX_PAGE_LIMIT, MAX_PATCH_BATCH } from '../values/limits.js';
import { problem, toProblem } from './problem.js';
import { checkPatchArgs } from '../stores/kv/ops.js';
import { MAX_PATCH_OPS } from '../values/patch.js';

/** A kv record on the wire. */
export const kvEntry = z.object({
  key: z.string(),
  value: json,
  version: z.number().int().describe('Changes on every write; never repeats for a key.'),
  updatedAt: z.number().int(),
  expiresAt: z.number().int().nullable(),
});

const setOptions = z.object({ ttlMs: ttlMs.optional(), ifVersion: ifVersion.optional() }).optional();
const listOptions = z
  .object({ prefix: z.string().optional(), limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(), cursor: z.string().optional() })
  .optional();

/** One check of `kv.commit`: the key must still be at this version (0 = absent). */
const check = z.object({ key, version: z.number().int().min(0) });
/** One write of `kv.commit`: `delete`, or a value (`keepTtl` keeps the record's current expiry). */
const write = z.object({
  key,
  delete: z.boolean().optional(),
  value: json.optional(),
  ttlMs: ttlMs.optional(),
  keepTtl: z.boolean().optional(),
});

/** One patch: its key, its ops, its options (kv.patch, and each item of kv.patchBatch). */
const patchArgs = z.object({
  key,
  ops: z
    .array(
      z
        .object({
          op: z.enum(['increment', 'merge', 'append', 'setIfAbsent', 'set', 'remove']),
          path: z.string().optional().describe('A JSON Pointer into the value: "" (default) is the value, "/a/b" a field of a field.'),
          by: z.number().optional().describe('increment: added (default 1).'),
          value: json.optional().describe('merge: the patch object; append, set, setIfAbsent: the value.'),
          max: z.number().int().min(1).optional().describe('append: keep only the newest max items.'),
        })
        .strict(),
    )
    .min(1)
    .max(MAX_PATCH_OPS),
  options: z.object({ ifVersion: ifVersion.optional(), ttlMs: ttlMs.optional() }).optional(),
});

export const kvOps = [
  op({
    id: 'kv.get',
    summary: 'The value of a key (no `result` when absent or expired).',
    access: 'read',
    args: z.object({ key }),
    result: json,
    example: { args: { key: 'cart' }, result: ['apple'] },
    run: (s, a) => s.kv.get(a.key as string),
  }),
  op({
    id: 'kv.getEntry',
    summary: 'The record of a key with its version and timestamps.',
    access: 'read',
    args: z.object({ key }),
    result: kvEntry,
    example: { args: { key: 'cart' }, result: { key: 'cart', value: ['apple'], version: 17, updatedAt: 1764650000000, expiresAt: null } },
    run: (s, a) => s.kv.getEntry(a.key as string),
  }),
  op({
    id: 'kv.has',
    summary: 'Whether a key exists and has not expired.',
    access: 'read',
    args: z.object({ key }),
    result: z.boolean(),
    example: { args: { key: 'cart' }, result: true },
    run: (s, a) => s.kv.has(a.key as string),
  }),
  op({
    id: 'kv.set',
    summary: 'Writes a value; with `options.ifVersion` a compare-and-set (409 on mismatch, nothing written).',
    access: 'write',
    args: z.object({ key, value: json, options: setOptions }),
    result: z.object({ version: z.number().int() }),
    example: { args: { key: 'cart', value: ['apple'], options: { ifVersion: 0 } }, result: { version: 18 } },
    run: (s, a) => s.kv.set(a.key as string, a.value, a.options as never),
  }),
  op({
    id: 'kv.delete',
    summary: 'Removes a key; `true` if it existed.',
    access: 'write',
    args: z.object({ key, options: z.object({ ifVersion: ifVersion.optional() }).optional() }),
    result: z.boolean(),
    example: { args: { key: 'cart' }, result: true },
    run: (s, a) => s.kv.delete(a.key as string, a.options as never),
  }),
  op({
    id: 'kv.getMany',
    summary:
      'Values of several keys from one consistent snapshot (`null` where absent, and for a stored `null`: `kv/getEntries` answers `null` only for an absent key).',
    access: 'read',
    args: z.object({ keys: z.array(key).max(MAX_BATCH_KEYS) }),
    result: z.array(json),
    example: { args: { keys: ['a', 'b'] }, result: [1, null] },
    run: async (s, a) => (await s.kv.getMany(a.keys as string[])).map((v) => (v === undefined ? null : v)),
  }),
  op({
    id: 'kv.getEntries',
    internal: true,
    summary:
      'Records of several keys (`null` where absent) from one consistent snapshot: what `update` and `transaction` read (a read-only transaction returns what one snapshot showed; one that writes commits with `kv.commit`, whose checks hold only if nothing it read has changed).',
    access: 'read',
    args: z.object({ keys: z.array(key).max(MAX_BATCH_KEYS) }),
    result: z.array(kvEntry.nullable()),
    example: { args: { keys: ['a', 'b'] }, result: [null, null] },
    run: async (s, a) => (await s.kv.getEntries(a.keys as string[])).map((e) => e ?? null),
  }),
  op({
    id: 'kv.setMany',
    summary: 'Writes every entry or none: one failing `ifVersion` aborts the whole batch.',
    access: 'write',
    args: z.object({
      entries: z.array(z.object({ key, value: json, ttlMs: ttlMs.optional(), ifVersion: ifVersion.optional() })).max(MAX_BATCH_KEYS),
    }),
    result: z.object({ versions: z.array(z.number().int()) }),
    example: {
      args: {
        entries: [
          { key: 'a', value: 1 },
          { key: 'b', value: 2, ifVersion: 0 },
        ],
      },
      result: { versions: [19, 20] },
    },
    run: (s, a) => s.kv.setMany(a.entries as never),
  }),
  op({
    id: 'kv.patch',
    summary:
      'An atomic read-modify-write described as data, in one request: `increment` a number, `merge` an object (JSON Merge Patch), `append` to a list (newest `max` kept), `setIfAbsent`, `set` or `remove` a field at `path` (a JSON Pointer, "" = the whole value). `ifVersion` makes it conditional (409). An op meeting the wrong type (incrementing a string) is 400 and nothing is written. Answers the new value (absent when removed) and its version.',
    access: 'write',
    args: patchArgs,
    result: z.object({ value: json.optional(), version: z.number().int().describe('0 when an op removed the value.') }),
    example: {
      args: {
        key: 'stats',
        ops: [
          { op: 'increment', path: '/visits' },
          { op: 'append', path: '/recent', value: 'u42', max: 3 },
        ],
      },
      result: { value: { visits: 1, recent: ['u42'] }, version: 23 },
    },
    run: (s, a) => s.kv.patch(a.key as string, a.ops as never, a.options as never),
  }),
  op({
    id: 'kv.patchBatch',
    internal: true,
    summary:
      "Several callers' patches in one request (what the TypeScript client sends when its callers patch concurrently): each is `kv.patch` on its own, applied in order, and answers its own `{ value, version }` or its own `error` (a problem) — one failing changes nothing for the others.",
    access: 'write',
    args: z.object({ items: z.array(patchArgs).min(1).max(MAX_PATCH_BATCH) }),
    result: z.array(z.union([z.object({ value: json.optional(), version: z.number().int() }), z.object({ error: problem })])),
    example: {
      args: {
        items: [
          { key: 'hits', ops: [{ op: 'increment' }] },
          { key: 'hits', ops: [{ op: 'increment', by: 2 }] },
        ],
      },
      result: [
        { value: 1, version: 7 },
        { value: 3, version: 8 },
      ],
    },
    run: async (s, a) => {
      // Bad input in any item is the request's 400 and nothing is applied (as a setMany entry's);
      // an item that fails when applied (a version, a type) fails alone.
      if (!Array.isArray(a.items) || a.items.length === 0 || a.items.length > MAX_PATCH_BATCH)
        throw new ValidationError('items', `must be an array of 1 to ${MAX_PATCH_BATCH} patches`);
      a.items.forEach((it: unknown, i) => {
        const o = (it ?? {}) as Record<string, unknown>;
        try {
          if (typeof it !== 'object' || it === null || Array.isArray(it)) throw new ValidationError('', 'must be an object { key, ops, options? }');
          const extra = Object.keys(o).find((k) => !['key', 'ops', 'options'].includes(k));
          if (extra !== undefined) throw new ValidationError(extra, 'is not a field of a patch (key, ops, options)');
          checkPatchArgs(o.key, o.ops, o.options, 'key');
        } catch (e) {
          if (e instanceof ValidationError) throw new ValidationError(`items.${i}${e.field ? `.${e.field}` : ''}`, e.reason);
          throw e;
        }
      });
      // Started together, they reach one group commit, in this order.
      const items = a.items as { key: string; ops: never; options?: never }[];
      const settled = await Promise.allSettled(items.map((it) => s.kv.patch(it.key, it.ops, it.options)));
      return settled.map((r) => (r.status === 'fulfilled' ? r.value : { error: toProblem(r.reason) }));
    },
  }),
  op({
    id: 'kv.commit',
    internal: true,
    summary:
      'A conditional batch (what `transaction` and `update` commit): every check must hold (the key still at that version, 0 = absent), then every write applies, atomically; 409 and nothing written otherwise.',
    access: 'write',
    // Unbounded in count, as an embedded transaction is: the request's body limit bounds it.
    args: z.object({ checks: z.array(check), writes: z.array(write) }),
    result: z.object({ versions: z.array(z.number().int()).describe('Per write: its version, 0 for a delete.') }),
    example: {
      args: {
        checks: [
          { key: 'alice', version: 12 },
          { key: 'bob', version: 0 },
        ],
        writes: [
          { key: 'alice', value: 70 },
          { key: 'bob', value: 30 },
        ],
      },
      result: { versions: [21, 22] },
    },
    run: (s, a) => commit(s.kv, a.checks as z.infer<typeof check>[], a.writes as z.infer<typeof write>[]),
  }),
  op({
    id: 'kv.list',
    summary: 'Keys in order, a page at a time (`cursor` of the answer continues).',
    access: 'read',
    args: z.object({ options: listOptions }),
    result: z.object({ items: z.array(kvEntry), cursor: z.string().optional() }),
    example: {
      args: { options: { prefix: 'user:', limit: 1 } },
      result: {
        items: [{ key: 'user:1', value: { name: 'Ada' }, version: 7, updatedAt: 1764650000000, expiresAt: null }],
        cursor: 'dXNlcjox',
      },
    },
    run: (s, a) => s.kv.list(a.options as never),
  }),
  op({
    id: 'kv.clear',
    summary: 'Removes every key of the namespace; how many were removed.',
    access: 'write',
    args: z.object({}),
    result: z.number().int(),
    example: { args: {}, result: 3 },
    run: (s) => s.kv.clear(),
  }),
];

async function commit(kv: KvStore, checks: z.infer<typeof check>[], writes: z.infer<typeof write>[]): Promise<{ versions: number[] }> {
  if (!Array.isArray(checks)) throw new ValidationError('checks', 'must be an array');
  if (!Array.isArray(writes)) throw new ValidationError('writes', 'must be an array');
  return kv.transaction((tx) => {
    for (const c of checks) {
      const actual = tx.getEntry(c.key)?.version ?? 0;
      if (actual !== c.version) {
        // The fresh records of every checked key come with the refusal: the client's next attempt
        // needs no read of its own (one round trip per retry, not two).
        const fresh = checks.map((k) => tx.getEntry(k.key) ?? null);
        throw Object.assign(new ConflictError(c.key, c.version, actual), { entries: fresh });
      }
    }
    const versions = writes.map((w) => {
      if (w.delete) {
        tx.delete(w.key);
        return 0;
      }
      if (w.keepTtl) {
        tx.update(w.key, () => w.value);
        return tx.getEntry(w.key)?.version ?? 0;
      }
      return tx.set(w.key, w.value, w.ttlMs === undefined ? undefined : { ttlMs: w.ttlMs }).version;
    });
    return { versions };
  });
}
