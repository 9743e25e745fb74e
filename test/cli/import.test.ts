// `memex import` as users run it (the built binary): an export imported into another store
// holds the same records (SQLite -> SQLite, SQLite -> PostgreSQL -> SQLite), the stores work on
// them (full-text search, thread order, cache sizes), a second import changes nothing, conflicts
// follow --on-conflict, a bad line refuses its batch, and an import killed with SIGKILL leaves
// whole batches only and resumes from the position it reported.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { lines, moved, populate } from '../helpers/export-dump.js';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  cleanupTemp();
  await dropSchemas();
});

const CLI = here(import.meta.url, '../../dist/cli/main.js');

/** Runs `memex …`; resolves with exit code, stdout and stderr (never rejects on a non-zero exit). */
async function memex(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 256 * 1024 * 1024 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const dumpOf = async (...where: string[]) => {
  const r = await memex('export', ...where);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

/** Writes `text` to a new file and returns its path. */
const fileWith = (text: string, name = 'dump.ndjson') => {
  const f = join(tempDir(), name);
  writeFileSync(f, text);
  return f;
};

const imported = async (...args: string[]) => {
  const r = await memex('import', ...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, number>;
};

/** What the stores make of the imported records: searches, thread order, cache sizes and hits. */
async function behaviour(mx: Memex) {
  const s = mx.scope('acme/u1');
  return {
    text: (await s.vectors.search({ text: 'lighthouses', mode: 'text' })).map((h) => h.id),
    near: (await s.vectors.search({ vector: Array.from({ length: 384 }, (_, i) => (i === 3 ? 1 : 0)), topK: 1 })).map((h) => h.id),
    filtered: (await s.vectors.search({ text: 'memory', filter: { userId: 'u1' } })).map((h) => h.id),
    threads: (await s.conversations.list()).map((t) => t.threadId),
    messages: (await s.conversations.recent('alpha')).map((m) => m.content),
    cached: await s.cache.get(['llm', 'q']),
    cacheStats: (await mx.stats()).stores.cache?.records,
    site: await s.sites.selector('example.com', 'search'),
  };
}

describe('memex import', () => {
  it('SQLite -> SQLite: the same records, the stores work on them, a second import changes nothing', async () => {
    const source = tempDbPath();
    const mx = await openMemex({ path: source });
    await populate(mx);
    const expected = await behaviour(mx);
    await mx.close();
    // A lease belongs to a live process of the source: it is not moved.
    const lease = {
      ns: 'default',
      store: 'locks',
      key: 'job',
      value: { holders: [] },
      version: 1,
      createdAt: 1,
      updatedAt: 1,
      expiresAt: null,
      rank: null,
    };
    const file = fileWith(`${await dumpOf('--path', source)}${JSON.stringify(lease)}\n`);

    const target = tempDbPath();
    const first = await imported(file, '--path', target);
    // Dropped: the lease and the two namespaces' cache size records (derived again from the entries).
    expect(first).toMatchObject({ skipped: 0, replaced: 0, unchanged: 0, dropped: 3 });
    expect(first.imported).toBe(lines(await dumpOf('--path', source)).length - 2);
    const targetLines = lines(await dumpOf('--path', target));
    expect(moved(targetLines)).toEqual(moved(lines(await dumpOf('--path', source))));
    // A thread's rank is its record's version (its last activity), as the store's own writes make it.
    for (const l of targetLines.filter((x) => x.store === 'conversations')) expect(l.rank).toBe(l.version);
    const t = await openMemex({ path: target });
    expect(await behaviour(t)).toEqual(expected);
    expect(expected.text).toEqual(['v1']);
    expect(expected.threads).toEqual(['alpha', 'zeta']);
    const seq = await t.events.lastSeq();
    await t.close();

    const again = await imported(file, '--path', target);
    expect(again).toMatchObject({ imported: 0, replaced: 0, skipped: 0, unchanged: first.imported });
    const t2 = await openMemex({ path: target });
    expect(await t2.events.lastSeq()).toBe(seq);
    await t2.close();
  });

  it('SQLite -> PostgreSQL -> SQLite: a canonical dump of each equals the source', async () => {
    const source = tempDbPath();
    const mx = await openMemex({ path: source });
    await populate(mx);
    const expected = await behaviour(mx);
    await mx.close();
    const schema = freshSchema();
    const pgFlags = ['--url', PG_URL, '--schema', schema];
    await imported(fileWith(await dumpOf('--path', source)), ...pgFlags);
    expect(moved(lines(await dumpOf(...pgFlags)))).toEqual(moved(lines(await dumpOf('--path', source))));
    const pg = await openMemex({ url: PG_URL, schema });
    expect(await behaviour(pg)).toEqual(expected);
    await pg.close();

    const back = tempDbPath();
    await imported(fileWith(await dumpOf(...pgFlags), 'from-pg.ndjson'), '--path', back);
    expect(moved(lines(await dumpOf('--path', back)))).toEqual(moved(lines(await dumpOf('--path', source))));
    const b = await openMemex({ path: back });
    expect(await behaviour(b)).toEqual(expected);
    await b.close();
  });

  it('--on-conflict: skip keeps the target, replace takes the file, fail refuses the batch; a bad line names itself', async () => {
    const source = tempDbPath();
    const mx = await openMemex({ path: source });
    await mx.kv.setMany([
      { key: 'a', value: 'from source' },
      { key: 'b', value: 'new' },
    ]);
    await mx.close();
    const file = fileWith(await dumpOf('--path', source));
    const target = tempDbPath();
    const tmx = await openMemex({ path: target });
    await tmx.kv.set('a', 'the target');
    await tmx.close();
    const kvOf = async () => {
      const t = await openMemex({ path: target });
      const r = [await t.kv.get('a'), await t.kv.get('b')];
      await t.close();
      return r;
    };

    const fail = await memex('import', file, '--path', target, '--on-conflict', 'fail');
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(/^memex import: line 1: default\/kv\/"a" exists with another value/);
    expect(fail.stderr.trim().split('\n')).toHaveLength(1);
    expect(await kvOf()).toEqual(['the target', undefined]);

    expect(await imported(file, '--path', target)).toMatchObject({ imported: 1, skipped: 1 });
    expect(await kvOf()).toEqual(['the target', 'new']);
    expect(await imported(file, '--path', target, '--on-conflict', 'replace')).toMatchObject({ replaced: 1, unchanged: 1 });
    expect(await kvOf()).toEqual(['from source', 'new']);

    const good = JSON.stringify({
      ns: 'default',
      store: 'kv',
      key: 'c',
      value: 1,
      version: 1,
      createdAt: 1,
      updatedAt: 1,
      expiresAt: null,
      rank: null,
    });
    const bad = fileWith(`${good}\n${good.replace('"store":"kv"', '"store":"nope"')}\n`, 'bad.ndjson');
    const r = await memex('import', bad, '--path', target);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^memex import: line 2\.store: must be one of blocks, cache, .*\bkv\b/);
    const t = await openMemex({ path: target });
    expect(await t.kv.get('c')).toBeUndefined(); // line 1 was in the refused batch
    await t.close();
  });

  it('--ns imports only that namespace of a memex export and counts the rest as outside', async () => {
    const line = (ns: string, key: string) =>
      JSON.stringify({ ns, store: 'kv', key, value: key, version: 1, createdAt: 1, updatedAt: 1, expiresAt: null, rank: null });
    const file = fileWith(`${line('a', 'x')}\n${line('b', 'y')}\n${line('a', 'z')}\n`);
    const target = tempDbPath();
    expect(await imported(file, '--path', target, '--ns', 'a')).toMatchObject({ lines: 3, imported: 2, outside: 1 });
    const t = await openMemex({ path: target });
    expect((await t.scope('a').kv.list()).items.map((e) => e.key)).toEqual(['x', 'z']);
    expect(await t.scope('b').kv.get('y')).toBeUndefined();
    await t.close();
  });

  it('SIGKILL during an import leaves whole batches; resuming at the reported position equals a clean import', async () => {
    const N = 60_000;
    const BATCH = 500;
    const body = Array.from({ length: N }, (_, i) =>
      JSON.stringify({
        ns: 'bulk',
        store: 'kv',
        key: `k${String(i).padStart(6, '0')}`,
        value: { i, pad: 'x'.repeat(64) },
        version: i + 1,
        createdAt: 1,
        updatedAt: 1,
        expiresAt: null,
        rank: null,
      }),
    ).join('\n');
    const file = fileWith(`${body}\n`);
    const target = tempDbPath();
    const child = spawn(process.execPath, [CLI, 'import', file, '--path', target, '--batch', String(BATCH)], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, s) => resolve(s)));
    let reported = 0;
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stderr }).on('line', (l) => {
        const m = /position (\d+) \(committed; resume with --resume-at (\d+)\)/.exec(l);
        if (!m) return reject(new Error(`unexpected stderr: ${l}`));
        reported = Number(m[1]);
        if (reported >= 5 * BATCH) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => resolve());
    });
    expect(await exited).toBe('SIGKILL');
    expect(reported).toBeLessThan(N);

    const db = new Database(target, { readonly: true });
    const count = (db.prepare("SELECT count(*) AS n FROM records WHERE store = 'kv'").get() as { n: number }).n;
    db.close();
    expect(count % BATCH).toBe(0); // whole batches only
    expect(count).toBeGreaterThanOrEqual(reported); // every reported batch is there
    expect(count).toBeLessThanOrEqual(reported + BATCH); // at most the one it was about to report

    const resumed = await imported(file, '--path', target, '--batch', String(BATCH), '--resume-at', String(reported));
    expect(resumed.imported! + resumed.unchanged!).toBe(N - reported);
    const clean = tempDbPath();
    await imported(file, '--path', clean, '--batch', String(BATCH));
    expect(moved(lines(await dumpOf('--path', target)))).toEqual(moved(lines(await dumpOf('--path', clean))));
  });
});
