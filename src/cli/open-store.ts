import type { Memex } from '../api/memex.js';
import { openMemex } from '../memex.js';
import type { MemexOptions } from '../options.js';

/** The store options every command takes: `--path`, or `--url` with its `--schema` / `--token`. */
export interface StoreFlags {
  path?: string;
  url?: string;
  schema?: string;
  token?: string;
  durability?: 'full' | 'normal';
}

/**
 * Opens the store a command's flags name; only the flags that belong to the kind of store are
 * passed. `policies` (from a config file) go to a store opened here, never to a remote one.
 */
export function openFromFlags(o: StoreFlags, policies: Omit<MemexOptions, 'path' | 'url' | 'engine'> = {}): Promise<Memex> {
  if (o.url === undefined) return openMemex({ path: o.path ?? './memex.db', ...(o.durability ? { durability: o.durability } : {}), ...policies });
  const remote = /^https?:/i.test(o.url);
  if (remote && Object.keys(policies).length > 0)
    throw new Error('--config applies to a store opened here (--path or a postgres:// --url), not to a memex server');
  return openMemex({
    ...(remote ? {} : policies),
    url: o.url,
    ...(!remote && o.schema ? { schema: o.schema } : {}),
    ...(remote && o.token ? { token: o.token } : {}),
  });
}
