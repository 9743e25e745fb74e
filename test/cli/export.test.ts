// `memex export` as users run it (the built binary): NDJSON, one record a line with namespace,
// store, key, value, version and expiry, vectors included; --store and --ns select; a progress
// bar on a terminal and none otherwise; on SQLite
// and on PostgreSQL, the export of the same writes has the same records.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.js';
import { here } from '../helpers/spawn.js';
import { canonical, lines, populate } from '../helpers/export-dump.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

afterEach(async () => {
  cleanupTemp();
  await dropSchemas();
});

const CLI = here(import.meta.url, '../../dist/cli/main.js');
const memex = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { maxBuffer: 64 * 1024 * 1024 });

describe('memex export', () => {
  it('SQLite: every store and namespace, one record a line, vectors included; --store and --ns select', async () => {
    const path = tempDbPath();
    const mx = await openMemex({ path });
    await populate(mx);
    const counts = (await mx.stats()).stores;
    await mx.close();

    const all = lines((await memex('export', '--path', path)).stdout);
    const stores = new Set(all.map((l) => l.store));
    for (const s of ['kv', 'conversations', 'cache', 'profiles', 'sites', 'vectors']) expect(stores).toContain(s);
    expect(new Set(all.map((l) => l.ns))).toEqual(new Set(['default', 'acme/u1']));
    for (const [store, c] of Object.entries(counts))
      expect(
        all.filter((l) => l.store === store),
        store,
      ).toHaveLength(c.records);
    for (const l of all) {
      expect(Object.keys(l).sort()).toEqual(['createdAt', 'expiresAt', 'key', 'ns', 'rank', 'store', 'updatedAt', 'value', 'version']);
      expect(l.version).toBeGreaterThan(0);
    }
    expect(all.find((l) => l.store === 'kv' && l.key === 'ttl')!.expiresAt).toBeGreaterThan(Date.now());
    const v2 = all.find((l) => l.store === 'vectors' && l.key === 'v2' && l.ns === 'default')!.value as { v: string };
    expect(Buffer.from(v2.v, 'base64').length).toBe(384 * 4);

    const kv = lines((await memex('export', '--path', path, '--store', 'kv', '--ns', 'acme/u1')).stdout);
    expect(kv.map((l) => [l.ns, l.key])).toEqual([
      ['acme/u1', 'plain'],
      ['acme/u1', 'ttl'],
    ]);
    const out = join(tempDir(), 'dump.ndjson');
    const r = await memex('export', '--path', path, '--out', out);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`exported ${all.length} records\n`);
    expect(lines(readFileSync(out, 'utf8'))).toEqual(all);

    // On a terminal (a pseudo-terminal made by util-linux `script`), stderr carries a progress bar.
    const tty = await promisify(execFile)('script', ['-qec', `${process.execPath} ${CLI} export --path ${path} --out ${out}.tty`, '/dev/null']);
    expect(tty.stdout).toContain(`export [`);
    expect(tty.stdout).toContain(`${all.length}/${all.length} records`);
    expect(lines(readFileSync(`${out}.tty`, 'utf8'))).toEqual(all);
  });

  it('PostgreSQL holds the same records for the same writes', async () => {
    const path = tempDbPath();
    const lite = await openMemex({ path });
    await populate(lite);
    await lite.close();
    const schema = freshSchema();
    const pg = await openMemex({ url: PG_URL, schema });
    await populate(pg);
    await pg.close();
    const fromLite = lines((await memex('export', '--path', path)).stdout);
    const fromPg = lines((await memex('export', '--url', PG_URL, '--schema', schema)).stdout);
    expect(fromPg.length).toBeGreaterThan(20);
    expect(canonical(fromPg)).toEqual(canonical(fromLite));
  });
});
