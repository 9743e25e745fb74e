// `memex import --from session-json | site-memory` as users run it (the built binary): what a
// dict-behind-a-lock agent memory leaves behind comes in through the stores' own operations;
// importing the file twice changes nothing; a bad entry refuses the whole file.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { codeBlocks } from '../docs/blocks.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

afterEach(() => cleanupTemp());

const CLI = here(import.meta.url, '../../dist/cli/main.js');
async function memex(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [CLI, ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
const json = (doc: unknown, name: string) => {
  const f = join(tempDir(), name);
  writeFileSync(f, JSON.stringify(doc));
  return f;
};
const counts = async (...args: string[]) => {
  const r = await memex('import', ...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, number>;
};

describe('memex import of JSON documents', () => {
  it('session-json: each property a kv key of --ns, in one transaction; twice changes nothing', async () => {
    const path = tempDbPath();
    const file = json({ 'session:42': { step: 3, cart: ['a'] }, 'user:ada': 'online', n: 7 }, 'session.json');
    expect(await counts('--from', 'session-json', file, '--path', path, '--ns', 'agent-7')).toEqual({
      imported: 3,
      replaced: 0,
      unchanged: 0,
      skipped: 0,
    });
    expect(await counts('--from', 'session-json', file, '--path', path, '--ns', 'agent-7')).toEqual({
      imported: 0,
      replaced: 0,
      unchanged: 3,
      skipped: 0,
    });
    const mx = await openMemex({ path });
    expect(await mx.scope('agent-7').kv.get('session:42')).toEqual({ step: 3, cart: ['a'] });
    await mx.scope('agent-7').kv.set('n', 8);
    const seq = await mx.events.lastSeq();
    await mx.close();

    const fail = await memex('import', '--from', 'session-json', file, '--path', path, '--ns', 'agent-7', '--on-conflict', 'fail');
    expect(fail.code).toBe(1);
    expect(fail.stderr).toBe('memex import: kv key "n" exists with another value (--on-conflict fail); nothing was imported\n');
    const bad = await memex('import', '--from', 'session-json', json({ ok: 1, '': 2 }, 'bad.json'), '--path', path, '--ns', 'agent-7');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^memex import: key: must not be empty/);
    const arr = await memex('import', '--from', 'session-json', json([1, 2], 'arr.json'), '--path', path);
    expect(arr.stderr).toMatch(/must be a JSON object of key -> value\n$/);
    const mx2 = await openMemex({ path });
    expect(await mx2.events.lastSeq()).toBe(seq); // neither refused file wrote anything
    expect(await mx2.scope('agent-7').kv.get('ok')).toBeUndefined();
    expect(await counts('--from', 'session-json', file, '--path', path, '--ns', 'agent-7', '--on-conflict', 'replace')).toMatchObject({
      replaced: 1,
      unchanged: 2,
    });
    expect(await mx2.scope('agent-7').kv.get('n')).toBe(7);
    await mx2.close();
  });

  it('site-memory: selectors, quirks, action patterns and user profiles through the stores; twice changes nothing', async () => {
    const path = tempDbPath();
    const doc = {
      sites: {
        'https://shop.example.com/cart': {
          selectors: { search: 'input[name=q]', 'add to cart': 'button.add' },
          quirks: ['Cookie banner covers the buy button', 'cookie  banner covers the BUY button'],
          actions: { 'log in': [{ fill: '#user' }, { fill: '#pass' }, { click: '#go' }] },
        },
        'docs.example.org': { quirks: ['rate limited after 20 requests a minute'] },
      },
      profiles: { ada: { name: 'Ada', language: 'en' } },
    };
    const file = json(doc, 'sites.json');
    const first = await counts('--from', 'site-memory', file, '--path', path, '--ns', 'browser');
    expect(first).toEqual({ imported: 6, replaced: 0, unchanged: 1, skipped: 0 }); // the second quirk is the first again
    expect(await counts('--from', 'site-memory', file, '--path', path, '--ns', 'browser')).toEqual({
      imported: 0,
      replaced: 0,
      unchanged: 7,
      skipped: 0,
    });
    const mx = await openMemex({ path });
    const s = mx.scope('browser');
    expect(await s.sites.selector('shop.example.com', 'search')).toBe('input[name=q]');
    expect(await s.sites.quirks('shop.example.com')).toEqual(['Cookie banner covers the buy button']);
    expect(await s.sites.actionPattern('https://shop.example.com/', 'Log In')).toEqual(doc.sites['https://shop.example.com/cart'].actions['log in']);
    expect(await s.sites.quirks('docs.example.org')).toHaveLength(1);
    expect(await s.profiles.get('ada')).toEqual({ name: 'Ada', language: 'en' });
    const seq = await mx.events.lastSeq();
    await mx.close();

    const bad = await memex(
      'import',
      '--from',
      'site-memory',
      json({ sites: { 'ftp://x': { quirks: ['q'] } }, profiles: { bob: { a: 1 } } }, 'b.json'),
      '--path',
      path,
      '--ns',
      'browser',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^memex import: sites\.ftp:\/\/x: /);
    const unknown = await memex('import', '--from', 'site-memory', json({ sites: {}, cookies: {} }, 'u.json'), '--path', path);
    expect(unknown.stderr).toMatch(/cookies: unknown option\n$/);
    const changed = json({ profiles: { ada: { name: 'Ada L.' } } }, 'c.json');
    const fail = await memex('import', '--from', 'site-memory', changed, '--path', path, '--ns', 'browser', '--on-conflict', 'fail');
    expect(fail.stderr).toBe('memex import: profile "ada" exists with another value (--on-conflict fail); nothing was imported\n');
    const mx2 = await openMemex({ path });
    expect(await mx2.events.lastSeq()).toBe(seq);
    await mx2.close();
  });

  it("the README's site-memory document, as written", async () => {
    const readme = readFileSync(here(import.meta.url, '../../README.md'), 'utf8');
    const block = codeBlocks(readme).find((b) => b.lang === 'json' && b.code.includes('"sites"'))!;
    const path = tempDbPath();
    const file = join(tempDir(), 'readme-sites.json');
    writeFileSync(file, block.code);
    expect(await counts('--from', 'site-memory', file, '--path', path, '--ns', 'browser')).toEqual({
      imported: 5,
      replaced: 0,
      unchanged: 0,
      skipped: 0,
    });
    const mx = await openMemex({ path });
    const s = mx.scope('browser');
    expect(await s.sites.selector('https://shop.example.com/any/page', 'add to cart')).toBe('button.add');
    expect(await s.sites.contextForPrompt('shop.example.com')).toContain('Cookie banner covers the buy button');
    expect(await s.profiles.get('ada')).toEqual({ name: 'Ada', language: 'en' });
    await mx.close();
  });
});
