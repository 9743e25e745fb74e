import { ValidationError } from '../errors.js';

/**
 * One step of `kv.patch`: a change described as data, so a client that cannot ship a function
 * (Python over HTTP, an MCP agent) still gets an atomic read-modify-write in one request. `path`
 * is a JSON Pointer (RFC 6901) into the value: `""` (the default) is the value itself,
 * `"/counts/visits"` a field of a field. Objects missing on the way are created.
 *
 * - `increment`: the number at `path` plus `by` (default 1); absent counts as 0.
 * - `merge`: a JSON Merge Patch (RFC 7386) of the object at `path`: `null` removes a field.
 * - `append`: `value` added at the end of the array at `path` (absent: a new one); with `max`,
 *   only the newest `max` items are kept.
 * - `setIfAbsent`: `value` at `path` unless something is there.
 * - `set`: `value` at `path`.
 * - `remove`: the field at `path` removed (at `""`: the record is deleted).
 *
 * @example
 * ```ts
 * await mx.kv.patch('stats', [{ op: 'increment', path: '/visits' }, { op: 'append', path: '/recent', value: 'u42', max: 10 }]);
 * ```
 */
export type PatchOp =
  | { readonly op: 'increment'; readonly path?: string; readonly by?: number }
  | { readonly op: 'merge'; readonly path?: string; readonly value: Readonly<Record<string, unknown>> }
  | { readonly op: 'append'; readonly path?: string; readonly value: unknown; readonly max?: number }
  | { readonly op: 'setIfAbsent'; readonly path?: string; readonly value: unknown }
  | { readonly op: 'set'; readonly path?: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path?: string };

/** Ops in one `kv.patch`. */
export const MAX_PATCH_OPS = 100;

const FIELDS: Record<PatchOp['op'], readonly string[]> = {
  increment: ['op', 'path', 'by'],
  merge: ['op', 'path', 'value'],
  append: ['op', 'path', 'value', 'max'],
  setIfAbsent: ['op', 'path', 'value'],
  set: ['op', 'path', 'value'],
  remove: ['op', 'path'],
};

/** Names that would reach an object's prototype rather than a field of it (values refuse them too). */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Checks a list of patch ops (before any read), naming the offending field: `ops[2].by`. */
export function checkPatchOps(ops: unknown, field = 'ops'): readonly PatchOp[] {
  if (!Array.isArray(ops) || ops.length === 0 || ops.length > MAX_PATCH_OPS)
    throw new ValidationError(field, `must be an array of 1 to ${MAX_PATCH_OPS} operations`);
  ops.forEach((o: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(o)) throw new ValidationError(at, 'must be an object { op, path?, … }');
    const allowed = FIELDS[o.op as PatchOp['op']] as readonly string[] | undefined;
    if (!allowed) throw new ValidationError(`${at}.op`, `must be one of ${Object.keys(FIELDS).join(', ')}`);
    for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ValidationError(`${at}.${k}`, `unknown field for ${String(o.op)}`);
    if (o.path !== undefined) pointer(o.path, `${at}.path`);
    if (o.op === 'increment' && o.by !== undefined && (typeof o.by !== 'number' || !Number.isFinite(o.by)))
      throw new ValidationError(`${at}.by`, 'must be a finite number');
    if (o.op === 'merge' && !isObject(o.value)) throw new ValidationError(`${at}.value`, 'must be an object (a JSON Merge Patch)');
    if (o.op === 'merge') checkMergeKeys(o.value as Record<string, unknown>, `${at}.value`);
    if ((o.op === 'append' || o.op === 'set' || o.op === 'setIfAbsent') && !('value' in o)) throw new ValidationError(`${at}.value`, 'is required');
    if (o.op === 'append' && o.max !== undefined && (typeof o.max !== 'number' || !Number.isInteger(o.max) || o.max < 1))
      throw new ValidationError(`${at}.max`, 'must be a positive integer');
  });
  return ops as PatchOp[];
}

/** The segments of a JSON Pointer (`""` = none). */
function pointer(path: unknown, field: string): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw new ValidationError(field, 'must be a JSON Pointer: "" or "/a/b"');
  if (path === '') return [];
  const segs = path
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const bad = segs.find((s) => FORBIDDEN.has(s));
  if (bad !== undefined) throw new ValidationError(field, `must not name "${bad}"`);
  return segs;
}

function checkMergeKeys(v: Record<string, unknown>, field: string): void {
  for (const [k, x] of Object.entries(v)) {
    if (FORBIDDEN.has(k)) throw new ValidationError(`${field}.${k}`, `the key "${k}" is not allowed`);
    if (isObject(x)) checkMergeKeys(x, `${field}.${k}`);
  }
}

/**
 * `current` with `ops` applied in order, as a new value (`current` is frozen and never changed);
 * `undefined` when an op removed the value itself. Throws a ValidationError naming the op whose
 * path meets something of the wrong type (`ops[0].path: holds a string, not a number`).
 */
export function applyPatch(current: unknown, ops: readonly PatchOp[], field = 'ops'): unknown {
  let value = current === undefined ? undefined : structuredClone(current);
  ops.forEach((o, i) => {
    const at = `${field}[${i}]`;
    const segs = pointer(o.path ?? '', `${at}.path`);
    const here = get(value, segs);
    let next: unknown;
    switch (o.op) {
      case 'increment':
        if (here !== undefined && typeof here !== 'number') throw new ValidationError(`${at}.path`, `holds ${describe(here)}, not a number`);
        next = (here ?? 0) + (o.by ?? 1);
        break;
      case 'merge':
        if (here !== undefined && !isObject(here)) throw new ValidationError(`${at}.path`, `holds ${describe(here)}, not an object`);
        next = mergePatch(here ?? {}, o.value);
        break;
      case 'append': {
        if (here !== undefined && !Array.isArray(here)) throw new ValidationError(`${at}.path`, `holds ${describe(here)}, not an array`);
        const list = [...((here as unknown[] | undefined) ?? []), structuredClone(o.value)];
        next = o.max !== undefined && list.length > o.max ? list.slice(list.length - o.max) : list;
        break;
      }
      case 'setIfAbsent':
        next = here === undefined ? structuredClone(o.value) : here;
        break;
      case 'set':
        next = structuredClone(o.value);
        break;
      case 'remove':
        next = undefined;
        break;
    }
    value = put(value, segs, next, `${at}.path`);
  });
  return value;
}

function get(v: unknown, segs: readonly string[]): unknown {
  let cur = v;
  for (const s of segs) {
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

/** `root` with `next` at `segs` (undefined removes it); objects missing on the way are created. */
function put(root: unknown, segs: readonly string[], next: unknown, field: string): unknown {
  if (segs.length === 0) return next;
  const [head, ...rest] = segs as [string, ...string[]];
  if (root !== undefined && !isObject(root) && !Array.isArray(root))
    throw new ValidationError(field, `goes through ${describe(root)}, not an object`);
  const base = (root ?? {}) as Record<string, unknown>;
  const child = put(base[head], rest, next, field);
  if (Array.isArray(base)) {
    const i = Number(head);
    if (!Number.isInteger(i) || i < 0 || i >= base.length) throw new ValidationError(field, `"${head}" is not an index of the array there`);
    const copy = [...base];
    if (child === undefined) copy.splice(i, 1);
    else copy[i] = child;
    return copy;
  }
  const copy = { ...base };
  if (child === undefined) delete copy[head];
  else copy[head] = child;
  return copy;
}

/** RFC 7386: `patch`'s fields over `target`'s, `null` removing one, objects merged recursively. */
function mergePatch(target: Record<string, unknown>, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = mergePatch(isObject(out[k]) ? out[k] : {}, v);
    else out[k] = structuredClone(v);
  }
  return out;
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`);
