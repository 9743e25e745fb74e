// A database file that is not writable, for real: the store is used by an unprivileged user
// (uid 65534; root would ignore permissions, and CI runs as root so it can switch user). SQLite
// then opens the file read-only without a word; Memex serves reads, fails writes with
// SQLITE_READONLY, reports it in health, and once the file is writable again replaces the
// connection by itself — the same process, no restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { here, unlessExited, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDir } from '../helpers/tmp.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  cleanupTemp();
});

const NOBODY = 65534;
const FIXTURE = here(import.meta.url, '../fixtures/readonly-opener.ts');

describe('a database file made read-only', () => {
  it('reads work, writes fail with SQLITE_READONLY and health is red; made writable, the next write succeeds', async () => {
    const dir = tempDir();
    const path = join(dir, 'memex.db');
    const mx = await openMemex({ path });
    await mx.kv.set('a', 1);
    await mx.close();
    chownSync(dir, NOBODY, NOBODY);
    chownSync(path, NOBODY, NOBODY);
    chmodSync(path, 0o444);

    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path], { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: dir } });
    children.push(child);
    const results: { a: unknown; set: string; writesOk: boolean }[] = [];
    let next: () => void = () => {};
    const exited = watchChild(child, (line) => {
      results.push(JSON.parse(line) as (typeof results)[number]);
      next();
    });
    const nextResult = () => unlessExited(new Promise<void>((r) => (next = r)), exited, 'it reported');

    await nextResult();
    expect(results[0]).toEqual({ a: 1, set: 'SQLITE_READONLY', writesOk: false });
    child.stdin.write('write\n');
    await nextResult();
    expect(results[1]).toEqual({ a: 1, set: 'SQLITE_READONLY', writesOk: false }); // still read-only

    chmodSync(path, 0o644); // the operator restores write access
    // A read-only connection is retried at most once a second: ask until it has been replaced.
    for (let i = 0; i < 50 && results.at(-1)!.set !== 'ok'; i++) {
      child.stdin.write('write\n');
      await nextResult();
    }
    expect(results.at(-1)).toEqual({ a: 1, set: 'ok', writesOk: true });
    child.stdin.write('close\n');
    expect((await exited).code).toBe(0);

    const again = await openMemex({ path });
    expect(await again.kv.get('b')).toBe(2);
    await again.close();
  });

  it('a read-only directory: opening fails with SQLITE_READONLY_DIRECTORY naming the file, and leaves it as it was', async () => {
    const dir = tempDir();
    const path = join(dir, 'memex.db');
    const mx = await openMemex({ path });
    await mx.kv.set('a', 1);
    await mx.close();
    const before = readFileSync(path);
    for (const f of readdirSync(dir)) chownSync(join(dir, f), NOBODY, NOBODY);
    chownSync(dir, NOBODY, NOBODY);
    chmodSync(dir, 0o555);
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path], { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: dir } });
    const lines: string[] = [];
    const exit = await watchChild(child, (l) => lines.push(l));
    chmodSync(dir, 0o755);
    expect(exit.code).toBe(0);
    expect(JSON.parse(lines[0]!)).toMatchObject({ openError: 'SQLITE_READONLY_DIRECTORY', message: expect.stringContaining(path) as unknown });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
