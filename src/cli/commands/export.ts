import { once } from 'node:events';
import { createWriteStream, existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { StorageError } from '../../errors.js';
import { postgresEngine } from '../../engine/postgres/factory.js';
import { sqliteEngine } from '../../engine/sqlite/factory.js';
import type { Engine, RecordRow } from '../../engine/types.js';
import { THREADS } from '../../stores/names.js';
import { progress } from '../progress.js';
import type { LookFlags } from './look.js';

/** One line of a Memex export: a record as the engine holds it, its value as JSON. */
export interface ExportLine {
  readonly ns: string;
  readonly store: string;
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number | null;
  readonly rank: number | null;
}

const PAGE = 500;

/** The engine a command's flags name, opened directly (export and import work on records of every store); `create` a new SQLite file. */
export async function openEngine(o: LookFlags, create = false): Promise<Engine> {
  const common = { clock: Date.now, customClock: false, lockTimeoutMs: 10_000, maxEvents: 100_000 };
  if (o.url === undefined) {
    const path = o.path ?? './memex.db';
    if (!create && !existsSync(path)) throw new StorageError(`${path} does not exist`, 'ENOENT');
    return sqliteEngine({ path }).open(common);
  }
  if (/^https?:/i.test(o.url))
    throw new StorageError('export reads the database itself: give --path or a postgres:// --url (not a server)', 'MEMEX_NO_EXPORT');
  return postgresEngine({ url: o.url, ...(o.schema ? { schema: o.schema } : {}) }).open(common);
}

/**
 * Every visible record, store by store and namespace by namespace in key order, a page at a
 * time: memory does not grow with the store. Each page is its own consistent read; a record
 * written during the export appears in its newest version or not at all, never torn.
 */
export async function* exportRecords(engine: Engine, only: { ns?: string; store?: string }): AsyncGenerator<ExportLine> {
  // A store's own bookkeeping (`vectors.meta`: the dimension) comes before its records.
  const order = (s: string) => (s.endsWith('.meta') ? `${s.slice(0, -5)}\u0000` : `${s}\u0001`);
  const stores = Object.keys(await engine.read((tx) => tx.countByStore())).sort((a, b) => (order(a) < order(b) ? -1 : 1));
  for (const store of stores) {
    if (only.store !== undefined && store !== only.store) continue;
    const namespaces = (await engine.read((tx) => tx.sizes(store))).map((s) => s.ns).sort();
    for (const ns of namespaces) {
      if (only.ns !== undefined && ns !== only.ns) continue;
      for await (const page of pages(engine, ns, store)) {
        for (const r of page) {
          yield {
            ns,
            store,
            key: r.key,
            value: JSON.parse(r.value) as unknown,
            version: r.version,
            createdAt: r.createdAt,
            updatedAt: r.updatedAt,
            expiresAt: r.expiresAt,
            rank: r.rank,
          };
        }
      }
    }
  }
}

/**
 * One store's records a page at a time: in key order, except threads, which come in activity
 * order, so that an import (which gives each thread a new, increasing version) keeps that order.
 */
async function* pages(engine: Engine, ns: string, store: string): AsyncGenerator<RecordRow[]> {
  let last: RecordRow | undefined;
  for (;;) {
    const page: RecordRow[] =
      store === THREADS
        ? await engine.snapshot((tx) => tx.scanByRank(ns, store, { limit: PAGE, ...(last ? { after: { rank: last.rank!, key: last.key } } : {}) }))
        : await engine.snapshot((tx) => tx.scan(ns, store, { after: last?.key, limit: PAGE }));
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
    last = page[page.length - 1]!;
  }
}

/** How many records an export will write, for its progress bar (expired, unpurged ones included). */
async function countOf(engine: Engine, only: { ns?: string; store?: string }): Promise<number> {
  return engine.read((tx) => {
    let n = 0;
    for (const [store, count] of Object.entries(tx.countByStore())) {
      if (only.store !== undefined && store !== only.store) continue;
      n += only.ns === undefined ? count : (tx.sizes(store).find((s) => s.ns === only.ns)?.count ?? 0);
    }
    return n;
  });
}

/** `memex export`: NDJSON on stdout (or `--out FILE`), with backpressure; resolves the count. */
export async function exportCommand(o: LookFlags & { out?: string; store?: string }): Promise<number> {
  if (o.out !== undefined && existsSync(o.out)) throw new StorageError(`${o.out} already exists; give a new file name`, 'EEXIST');
  const engine = await openEngine(o);
  const bar = progress('export', await countOf(engine, o));
  const sink: Writable = o.out ? createWriteStream(o.out, { flags: 'wx' }) : process.stdout;
  let n = 0;
  try {
    for await (const line of exportRecords(engine, { ns: o.ns, store: o.store })) {
      if (!sink.write(`${JSON.stringify(line)}\n`)) await once(sink, 'drain');
      n++;
      bar.tick();
    }
  } finally {
    bar.stop();
    await engine.close();
    if (o.out) {
      sink.end();
      await once(sink, 'finish');
    }
  }
  process.stderr.write(`exported ${n} records\n`);
  return n;
}
