// Runs the commands of the README's "Operations" section.
// The memex command line as users run it: the built binary (dist/cli/main.js) as a child
// process — exit codes, --json that parses, one-line errors, help with examples; backup while
// four processes write, restore that refuses a live target or a damaged backup.
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { freshSchema, dropSchemas, PG_URL } from '../helpers/pg.js';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  cleanupTemp();
  await dropSchemas();
});

const CLI = here(import.meta.url, '../../dist/cli/main.js');
const WRITER = here(import.meta.url, '../fixtures/steady-writer.ts');

/** Runs `memex …`; resolves with exit code, stdout and stderr (never rejects on a non-zero exit). */
async function memex(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI, ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('memex quick looks', () => {
  it('set, get, list and stats with --json print only JSON; a missing key exits 1 with one line', async () => {
    const path = tempDbPath();
    expect(await memex('set', 'greeting', '"hello"', '--path', path, '--json')).toMatchObject({ code: 0, stdout: '{"version":1}\n', stderr: '' });
    expect((await memex('set', 'cfg', '{"rpm":60}', '--path', path, '--ns', 'agents', '--ttl', '60000')).code).toBe(0);
    const got = await memex('get', 'greeting', '--path', path, '--json');
    expect(JSON.parse(got.stdout)).toMatchObject({ key: 'greeting', value: 'hello', version: 1 });
    expect(JSON.parse((await memex('get', 'cfg', '--path', path, '--ns', 'agents', '--json')).stdout)).toMatchObject({ value: { rpm: 60 } });
    const page = JSON.parse((await memex('list', '--path', path, '--json')).stdout) as { items: { key: string }[] };
    expect(page.items.map((e) => e.key)).toEqual(['greeting']);
    const stats = JSON.parse((await memex('stats', '--path', path, '--json')).stdout) as { records: Record<string, number>; health: { ok: boolean } };
    expect(stats.records.kv).toBe(2);
    expect(stats.health.ok).toBe(true);

    const missing = await memex('get', 'nope', '--path', path);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe('memex get: no key "nope" in namespace default\n');
  });

  it('bad input is one line naming the field, exit 1, and changes nothing', async () => {
    const path = tempDbPath();
    const bad = await memex('set', 'k', 'hello', '--path', path);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('memex set: value: must be JSON');
    const conflict = await memex('set', 'k', '1', '--if-version', '7', '--path', path);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^memex set: .*version/);
    expect((await memex('get', 'k', '--path', path)).code).toBe(1);
    const badLimit = await memex('list', '--limit', '0', '--path', path);
    expect(badLimit.code).not.toBe(0);
    expect(badLimit.stderr).toContain('must be an integer from 1 to 1000');
  });

  it('help lists the commands, and each command shows examples', async () => {
    const top = await memex('--help');
    for (const c of ['demo', 'serve', 'mcp', 'import', 'stats', 'get', 'set', 'list', 'search', 'sweep', 'backup', 'restore'])
      expect(top.stdout).toContain(c);
    for (const c of ['stats', 'get', 'set', 'list', 'search', 'sweep', 'backup', 'restore']) {
      const h = await memex(c, '--help');
      expect(h.code).toBe(0);
      expect(h.stdout).toContain('Examples:');
      expect(h.stdout).toContain(`memex ${c}`);
    }
  });
});

describe('memex backup and restore', () => {
  it('a backup taken while 4 processes write opens with integrity ok and holds every write acknowledged before it began', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const acked = new Set<string>();
    const writers = Array.from({ length: 4 }, (_, id) => spawnScript(WRITER, [path, String(id)]));
    children.push(...writers);
    const perWriter = [0, 0, 0, 0];
    let enough!: () => void;
    const started = new Promise<void>((r) => (enough = r));
    const exits = writers.map((w, id) =>
      watchChild(w, (line) => {
        acked.add(line.slice(6));
        if (++perWriter[id]! === 50 && perWriter.every((n) => n >= 50)) enough();
      }),
    );
    await started;
    const before = new Set(acked);
    const file = join(tempDir(), 'backup.db');
    const r = await memex('backup', file, '--path', path, '--json');
    for (const w of writers) w.stdin!.end();
    await Promise.all(exits);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toMatchObject({ file, integrity: 'ok' });
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const keys = new Set((copy.prepare("SELECT key FROM records WHERE store = 'kv'").all() as { key: string }[]).map((x) => x.key));
    copy.close();
    for (const k of before) expect(keys.has(k)).toBe(true);
    expect(keys.size).toBeGreaterThanOrEqual(before.size);
  });

  it('restore checks the backup, refuses a live target or a damaged backup, and replaces a target not in use', async () => {
    const source = tempDbPath();
    const src = await openMemex({ path: source });
    await src.kv.set('from', 'backup');
    await src.vectors.upsert({ id: 'v', text: 'backed up memory' });
    await src.close();
    const file = join(tempDir(), 'b.db');
    expect((await memex('backup', file, '--path', source)).code).toBe(0);

    const target = tempDbPath();
    const live = await openMemex({ path: target });
    await live.kv.set('from', 'target');
    const refused = await memex('restore', file, '--path', target);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is open in another process');
    expect(await live.kv.get('from')).toBe('target'); // nothing changed
    await live.close();

    const damaged = join(tempDir(), 'damaged.db');
    writeFileSync(damaged, Buffer.alloc(8192, 7));
    const bad = await memex('restore', damaged, '--path', target);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/memex restore: .*(not a Memex database|cannot be read|corrupt)/);

    mkdirSync(`${target}-vectors`, { recursive: true }); // an index of the old records
    const ok = await memex('restore', file, '--path', target, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ target, integrity: 'ok' });
    expect(existsSync(`${target}-vectors`)).toBe(false);
    const restored = await openMemex({ path: target });
    expect(await restored.kv.get('from')).toBe('backup');
    expect((await restored.vectors.search({ text: 'backed up memory', topK: 1 }))[0]?.id).toBe('v');
    await restored.close();
  });

  it('on PostgreSQL backup says what to use instead, exit 1', async () => {
    const r = await memex('backup', join(tempDir(), 'x.db'), '--url', PG_URL, '--schema', freshSchema());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('memex export');
  });
});
