/**
 * How call arguments travel from the TypeScript client to the server. Plain JSON passes as it is
 * (what Python or curl send is already valid), and whatever JSON cannot say — NaN, `undefined`
 * inside an array, a Date, a Map, a class instance, a function, a BigInt, a shared or cyclic
 * reference, a typed array — travels as a tagged object `{ "$mx": kind, … }` that the server turns
 * back into an equivalent value. The stores then validate what the caller really passed, so a
 * remote caller gets the very `ValidationError` (same field, same reason) an embedded one gets;
 * the validation rules stay declared once, in the stores.
 *
 * A caller's own object whose only key is `$mx` is escaped as `{ "$mx": "obj", "v": {…} }`.
 */
import { isStorableTyped, typedFromBase64, typedToBase64 } from '../values/typed.js';

const TAG = '$mx';

type Tagged = { [TAG]: string; [k: string]: unknown };

const tag = (kind: string, rest: Record<string, unknown> = {}): Tagged => ({ [TAG]: kind, ...rest });

/** Arguments -> a JSON-safe value (see the module comment). */
export function encodeWire(value: unknown): unknown {
  const seen = new Map<object, (string | number)[]>();
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? v : tag('num', { v: String(v) });
      case 'undefined':
        return tag('undef');
      case 'function':
        return tag('fn');
      case 'symbol':
        return tag('sym');
      case 'bigint':
        return tag('big', { v: v.toString() });
      case 'object':
        break;
      default:
        return v;
    }
    if (v === null) return null;
    const first = seen.get(v);
    if (first) return tag('ref', { path: first });
    // Only ancestors are remembered: a cycle travels as a reference, a shared value as copies.
    seen.set(v, path);
    try {
      return container(v, path);
    } finally {
      seen.delete(v);
    }
  };
  const container = (v: object, path: (string | number)[]): unknown => {
    if (isStorableTyped(v)) return tag('typed', { type: v.constructor.name, b64: typedToBase64(v) });
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (let i = 0; i < v.length; i++) out.push(i in v ? walk(v[i], [...path, i]) : tag('hole'));
      return out;
    }
    if (v instanceof Date) return tag('date', { v: v.getTime() });
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return tag('inst', { type: v.constructor?.name ?? 'Object' });
    const out: Record<string, unknown> = {};
    // defineProperty: a caller's "__proto__" key must travel as a key (for the stores to refuse).
    for (const [k, x] of Object.entries(v))
      if (x !== undefined) Object.defineProperty(out, k, { value: walk(x, [...path, k]), enumerable: true, writable: true, configurable: true });
    const keys = Object.keys(out);
    return keys.length === 1 && keys[0] === TAG ? tag('obj', { v: out }) : out;
  };
  return walk(value, []);
}

/** The inverse of {@link encodeWire}, applied by the server to every request body. */
export function decodeWire(value: unknown): unknown {
  // Containers by path, registered before their children are walked so that a reference to an
  // ancestor (a cycle) resolves to the very object being built.
  const byPath = new Map<string, unknown>();
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      const out: unknown[] = new Array<unknown>(v.length);
      byPath.set(JSON.stringify(path), out);
      v.forEach((x, i) => {
        if (!isTag(x, 'hole')) out[i] = walk(x, [...path, i]);
      });
      return out;
    }
    const o = v as Record<string, unknown>;
    if (typeof o[TAG] === 'string') {
      if (o[TAG] === 'ref') return Array.isArray(o.path) ? byPath.get(JSON.stringify(o.path)) : undefined;
      if (o[TAG] === 'obj' && typeof o.v === 'object' && o.v !== null) return object(o.v as Record<string, unknown>, path);
      const t = fromTag(o as Tagged);
      if (t.ok) return t.value;
    }
    return object(o, path);
  };
  const object = (o: Record<string, unknown>, path: (string | number)[]): unknown => {
    const out: Record<string, unknown> = {};
    byPath.set(JSON.stringify(path), out);
    // defineProperty: a key such as "__proto__" stays an own property, for the stores to refuse.
    for (const [k, x] of Object.entries(o))
      Object.defineProperty(out, k, { value: walk(x, [...path, k]), enumerable: true, writable: true, configurable: true });
    return out;
  };
  return walk(value, []);
}

function isTag(x: unknown, kind: string): boolean {
  return typeof x === 'object' && x !== null && (x as Record<string, unknown>)[TAG] === kind;
}

function fromTag(o: Tagged): { ok: boolean; value?: unknown } {
  switch (o[TAG]) {
    case 'num':
      return { ok: true, value: Number(o.v) };
    case 'undef':
      return { ok: true, value: undefined };
    case 'fn':
      return { ok: true, value: () => undefined };
    case 'sym':
      return { ok: true, value: Symbol('wire') };
    case 'big':
      return { ok: true, value: BigInt(String(o.v)) };
    case 'date':
      return { ok: true, value: new Date(Number(o.v)) };
    case 'inst':
      return { ok: true, value: instanceNamed(String(o.type)) };
    case 'typed': {
      const value = typedFromBase64(o.type, o.b64);
      return value ? { ok: true, value } : { ok: false };
    }
    default:
      return { ok: false };
  }
}

/** An object whose type name is `name`, so the stores' "is not a plain object" message names it. */
function instanceNamed(name: string): object {
  const C = { [name]: class {} }[name]!;
  return new C();
}
