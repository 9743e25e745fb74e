// `memex check` as users run it (the built binary): exit 0 on a sound store; exit 1 on a damaged
// saved vector index file and on a record whose write is missing from the change feed;
// `--repair` rebuilds the index from the records; the same on PostgreSQL (amcheck, --index-dir).
import { execFile, type ChildProcess } from 'node:child_process';
import { readdirSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
import { adminQuery, dropSchemas, freshSchema, PG_URL } from '../helpers/pg.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  cleanupTemp();
});
const LOCK_HOLDER = here(import.meta.url, '../fixtures/lock-lease-holder.ts');

const CLI = here(import.meta.url, '../../dist/cli/main.js');
interface Report {
  ok: boolean;
  findings: { check: string; problem: boolean; detail: string; ns?: string }[];
}
async function check(...args: string[]): Promise<{ code: number; report: Report }> {
  const r = await promisify(execFile)(process.execPath, [CLI, 'check', '--json', ...args]).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

async function populated(): Promise<string> {
  const path = tempDbPath();
  const mx = await openMemex({ path });
  await mx.kv.set('a', 1);
  await mx.conversations.append('t', { role: 'user', content: 'hi' });
  await mx.vectors.upsert(Array.from({ length: 50 }, (_, i) => ({ id: `d${i}`, text: `document number ${i}` })));
  await mx.scope('other').vectors.upsert({ id: 'x', text: 'elsewhere' });
  await mx.vectors.waitForIndex();
  await mx.scope('other').vectors.waitForIndex();
  await mx.kv.set('b', 2);
  await mx.close(); // saves each namespace's index
  return path;
}

describe('memex check', () => {
  it('a sound store: exit 0, every check ok', async () => {
    const path = await populated();
    const { code, report } = await check('--path', path);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.check)).toEqual(['integrity', 'feed', 'vector index', 'locks']);
    expect(report.findings.at(-1)!.detail).toBe('0 held by a live lease');
  });

  it('lists locks without a live holder (a holder SIGKILLed) beside those held, without failing', async () => {
    const path = await populated();
    const hold = async (name: string, leaseMs: number) => {
      const child = spawnScript(LOCK_HOLDER, [path, name, String(leaseMs)]);
      children.push(child);
      let locked!: () => void;
      const got = new Promise<void>((r) => (locked = r));
      const exited = watchChild(child, (l) => l.startsWith('locked') && locked());
      await unlessExited(got, exited, `it held ${name}`);
      return child;
    };
    await hold('kept', 600_000);
    (await hold('abandoned', 100)).kill('SIGKILL');
    // Its lease ends at most 100 ms after its last renewal: ask until check sees it ended.
    let r = await check('--path', path);
    for (let i = 0; i < 20 && !r.report.findings.at(-1)!.detail.includes('without'); i++) r = await check('--path', path);
    expect(r.code).toBe(0);
    expect(r.report.findings.at(-1)).toEqual({
      check: 'locks',
      problem: false,
      detail: '1 held by a live lease; 1 without a live holder (the next caller takes over; `memex sweep` purges): default/abandoned',
    });
  });

  it('a damaged saved vector index file: exit 1; --repair rebuilds it and the next check passes', async () => {
    const path = await populated();
    const f32 = readdirSync(`${path}-vectors`)
      .map((f) => join(`${path}-vectors`, f))
      .filter((f) => f.endsWith('.f32'));
    expect(f32.length).toBe(2);
    const victim = f32.sort((a, b) => statSync(b).size - statSync(a).size)[0]!; // the default namespace's 50 vectors
    truncateSync(victim, statSync(victim).size - 6);
    const bad = await check('--path', path);
    expect(bad.code).toBe(1);
    expect(bad.report.findings).toContainEqual(expect.objectContaining({ check: 'vector index', problem: true, ns: 'default' }));
    const repaired = await check('--path', path, '--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report.findings.find((f) => f.check === 'vector index')!.detail).toContain('repaired');
    expect((await check('--path', path)).code).toBe(0);
    const mx = await openMemex({ path });
    expect((await mx.vectors.search({ text: 'document number 7', topK: 1 }))[0]?.id).toBe('d7');
    await mx.close();
  });

  for (const key of ['a', 'b']) {
    it(`a record whose write is missing from the change feed (${key === 'a' ? 'the oldest event' : 'a later one'}): exit 1, naming it`, async () => {
      const path = await populated();
      const db = new Database(path);
      const v = db.prepare("SELECT version FROM records WHERE store = 'kv' AND key = ?").pluck().get(key) as number;
      db.prepare('DELETE FROM events WHERE seq = ?').run(v);
      db.close();
      const { code, report } = await check('--path', path);
      expect(code).toBe(1);
      expect(report.findings).toContainEqual(
        expect.objectContaining({ check: 'feed', problem: true, detail: expect.stringContaining(`kv record "${key}"`) as unknown }),
      );
    });
  }

  it('a vector record changed behind the saved index: exit 1 (the saved copy disagrees)', async () => {
    const path = await populated();
    const db = new Database(path);
    const row = db.prepare("SELECT value FROM records WHERE store = 'vectors' AND ns = 'other' AND key = 'x'").pluck().get() as string;
    const rec = JSON.parse(row) as { v: string };
    const other = JSON.parse(
      db.prepare("SELECT value FROM records WHERE store = 'vectors' AND ns = 'default' AND key = 'd1'").pluck().get() as string,
    ) as { v: string };
    rec.v = other.v; // same dimension, another vector, version unchanged: what a silent corruption looks like
    db.prepare("UPDATE records SET value = ? WHERE store = 'vectors' AND ns = 'other' AND key = 'x'").run(JSON.stringify(rec));
    db.close();
    const { code, report } = await check('--path', path);
    expect(code).toBe(1);
    expect(report.findings).toContainEqual(
      expect.objectContaining({ check: 'vector index', ns: 'other', detail: expect.stringContaining('x (vector differs)') as unknown }),
    );
  });
});

describe('memex check on PostgreSQL', () => {
  afterEach(() => dropSchemas());

  it('sound: integrity by amcheck, feed and saved index ok; a missing event and a damaged index file exit 1; --repair rebuilds', async () => {
    await adminQuery('CREATE EXTENSION IF NOT EXISTS amcheck');
    const schema = freshSchema();
    const indexDir = tempDir();
    const mx = await openMemex({ url: PG_URL, schema, indexDir });
    await mx.kv.set('a', 1);
    await mx.vectors.upsert(Array.from({ length: 30 }, (_, i) => ({ id: `d${i}`, text: `document number ${i}` })));
    await mx.vectors.waitForIndex();
    await mx.close(); // saves the index under indexDir
    const flags = ['--url', PG_URL, '--schema', schema, '--index-dir', indexDir];

    const sound = await check(...flags);
    expect(sound.code).toBe(0);
    expect(sound.report.findings.map((f) => f.check)).toEqual(['integrity', 'feed', 'vector index', 'locks']);
    expect(sound.report.findings[0]!.detail).toMatch(/33 records readable; data checksums (on|off); amcheck verified \d+ B-tree indexes/);
    expect(sound.report.findings[2]!.detail).toBe('every saved index agrees with its records');

    const f32 = readdirSync(indexDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.f32'));
    expect(f32).toHaveLength(1);
    const victim = join(f32[0]!.parentPath, f32[0]!.name);
    truncateSync(victim, statSync(victim).size - 6);
    const damaged = await check(...flags);
    expect(damaged.code).toBe(1);
    expect(damaged.report.findings).toContainEqual(expect.objectContaining({ check: 'vector index', problem: true, ns: 'default' }));
    expect((await check(...flags, '--repair')).code).toBe(0);
    expect((await check(...flags)).code).toBe(0);

    const rows = await adminQuery<{ version: string }>(`SELECT version FROM "${schema}".records WHERE store = 'kv' AND key = 'a'`);
    const version = rows[0]!.version;
    await adminQuery(`DELETE FROM "${schema}".events WHERE seq = $1`, [version]);
    const missing = await check(...flags);
    expect(missing.code).toBe(1);
    expect(missing.report.findings).toContainEqual(
      expect.objectContaining({ check: 'feed', problem: true, detail: expect.stringContaining('kv record "a"') as unknown }),
    );
  });
});
