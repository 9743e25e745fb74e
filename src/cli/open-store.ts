import type { Memex } from '../api/memex.js';
import { openMemex } from '../memex.js';

/** The store options every command takes: `--path`, or `--url` with its `--schema` / `--token`. */
export interface StoreFlags {
  path?: string;
  url?: string;
  schema?: string;
  token?: string;
  durability?: 'full' | 'normal';
}

/** Opens the store a command's flags name; only the flags that belong to the kind of store are passed. */
export function openFromFlags(o: StoreFlags): Promise<Memex> {
  if (o.url === undefined) return openMemex({ path: o.path ?? './memex.db', ...(o.durability ? { durability: o.durability } : {}) });
  const remote = /^https?:/i.test(o.url);
  return openMemex({
    url: o.url,
    ...(!remote && o.schema ? { schema: o.schema } : {}),
    ...(remote && o.token ? { token: o.token } : {}),
  });
}
