import type { Memex, MemexScope } from '../../api/memex.js';
import { ValidationError } from '../../errors.js';
import { openFromFlags, type StoreFlags } from '../open-store.js';

export interface LookFlags extends StoreFlags {
  ns?: string;
  json?: boolean;
}

/** Opens the store the flags name, runs `fn` on it (in `--ns`), and always closes it. */
export async function withStore<T>(o: LookFlags, fn: (scope: MemexScope, mx: Memex) => Promise<T>): Promise<T> {
  const mx = await openFromFlags(o);
  try {
    return await fn(scopeOf(mx, o.ns), mx);
  } finally {
    await mx.close();
  }
}

/** The handle of namespace `ns` (`default` is the root handle itself). */
export const scopeOf = (mx: Memex, ns: string | undefined): MemexScope => (ns === undefined || ns === 'default' ? mx : mx.scope(ns));

/** A command's result: `json` with `--json`, else `text`. */
export const out = (o: LookFlags, json: unknown, text: string) => process.stdout.write(`${o.json ? JSON.stringify(json) : text}\n`);

/** A JSON argument (`set`'s value, `--filter`), refused with the field named. */
export function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ValidationError(field, `must be JSON (${(e as Error).message}); quote text as '"hello"'`);
  }
}

/** `memex get KEY`: the value (exit 1 when there is none). */
export const get = (key: string, o: LookFlags) =>
  withStore(o, async (s) => {
    const e = await s.kv.getEntry(key);
    if (!e) {
      process.stderr.write(`memex get: no key ${JSON.stringify(key)} in namespace ${s.ns}\n`);
      return 1;
    }
    out(o, e, JSON.stringify(e.value, null, 2));
    return 0;
  });

/** `memex set KEY JSON`: writes and prints the version. */
export const set = (key: string, value: string, o: LookFlags & { ttl?: number; ifVersion?: number }) =>
  withStore(o, async (s) => {
    const r = await s.kv.set(key, parseJson(value, 'value'), {
      ...(o.ttl !== undefined ? { ttlMs: o.ttl } : {}),
      ...(o.ifVersion !== undefined ? { ifVersion: o.ifVersion } : {}),
    });
    out(o, r, `set ${key} (version ${r.version})`);
  });

/** `memex list`: one page of keys; `--cursor` for the next. */
export const list = (o: LookFlags & { prefix?: string; limit?: number; cursor?: string }) =>
  withStore(o, async (s) => {
    const page = await s.kv.list({ prefix: o.prefix, limit: o.limit, cursor: o.cursor });
    const lines = page.items.map((e) => `${e.key}\tv${e.version}\t${JSON.stringify(e.value).slice(0, 80)}`);
    if (page.cursor) lines.push(`(more: --cursor ${page.cursor})`);
    out(o, page, lines.length > 0 ? lines.join('\n') : '(no keys)');
  });

/** `memex search TEXT`: semantic memory, best first. */
export const search = (text: string, o: LookFlags & { topK?: number; filter?: string }) =>
  withStore(o, async (s) => {
    const hits = await s.vectors.search({
      text,
      ...(o.topK !== undefined ? { topK: o.topK } : {}),
      ...(o.filter !== undefined ? { filter: parseJson(o.filter, 'filter') as Record<string, unknown> } : {}),
    });
    const lines = hits.map((h) => `${h.score.toFixed(3)}\t${h.id}\t${(h.text ?? '').slice(0, 100)}`);
    out(o, hits, lines.length > 0 ? lines.join('\n') : '(no matches)');
  });

/** `memex stats`: records per store, the feed's position and health. */
export const stats = (o: LookFlags) =>
  withStore(o, async (_s, mx) => {
    const [st, health] = await Promise.all([mx.stats(), mx.health()]);
    const records = Object.fromEntries(Object.entries(st.stores).map(([k, v]) => [k, v.records]));
    const lines = [
      `records: ${Object.entries(records)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
      `last event: ${st.lastSeq}`,
      `health: ${health.ok ? 'ok' : 'NOT OK'}`,
      ...health.checks.map((c) => `  ${c.ok ? 'ok ' : 'BAD'} ${c.name}: ${c.detail}`),
    ];
    out(o, { records, lastSeq: st.lastSeq, health }, lines.join('\n'));
    return health.ok ? 0 : 1;
  });

/** `memex sweep`: purges what expired. */
export const sweep = (o: LookFlags) =>
  withStore(o, async (_s, mx) => {
    const r = await mx.sweep();
    out(o, r, `purged ${r.purged} expired records and ${r.threads} expired threads`);
  });
