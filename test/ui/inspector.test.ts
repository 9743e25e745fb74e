// The web inspector as a person uses it: `memex serve` (the built binary) with tokens, and
// Debian's chromium driven headless by playwright-core. With an admin token the page lists the
// namespaces, pages through records, opens a thread, browses profiles and sites, runs a filtered
// semantic search, and its live statistics move when another process writes to the store;
// without a token, or with a wrong one, every piece of data is refused. Screenshots of each step
// go to test-results/inspector/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const ADMIN = 'inspector-admin-token-0123456789';
const READER = 'inspector-acme-reader-0123456789';
const SHOTS = here(import.meta.url, '../../test-results/inspector');
const WRITER = here(import.meta.url, '../fixtures/steady-writer.ts');

let server: ServeProcess;
let browser: Browser;
let path: string;

beforeAll(async () => {
  path = tempDbPath();
  const mx = await openMemex({ path });
  const acme = mx.scope('acme/app');
  await acme.kv.setMany(Array.from({ length: 45 }, (_, i) => ({ key: `key:${String(i).padStart(2, '0')}`, value: { i } })));
  await acme.conversations.append('support-1', { role: 'user', content: 'my order did not arrive' });
  await acme.conversations.append('support-1', { role: 'assistant', content: 'let me look that up' });
  await acme.profiles.set('ada', { name: 'Ada', language: 'en' });
  await acme.sites.cacheSelector('https://shop.example.com/', 'search', 'input[name=q]');
  await acme.sites.recordQuirk('https://shop.example.com/', 'cookie banner first');
  await acme.vectors.upsert([
    { id: 'm1', text: 'Ada likes hiking in the mountains', metadata: { userId: 'ada' } },
    { id: 'm2', text: 'Bob likes hiking by the sea', metadata: { userId: 'bob' } },
    { id: 'm3', text: 'Ada prefers Python over Java', metadata: { userId: 'ada' } },
  ]);
  await mx.scope('globex/app').kv.set('other', 1);
  await mx.close();
  const tokens = `${tempDir()}/tokens.json`;
  writeFileSync(
    tokens,
    JSON.stringify([
      { token: ADMIN, namespaces: ['*'], access: 'admin', name: 'ops' },
      { token: READER, namespaces: ['acme/*'], access: 'read', name: 'acme-read' },
    ]),
  );
  server = await startServe(['--path', path, '--tokens', tokens]);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  mkdirSync(SHOTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
  cleanupTemp();
});

async function page(token?: string): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await p.goto(`${server.url}/ui`);
  if (token !== undefined) {
    await p.getByTestId('token').fill(token);
    await p.getByRole('button', { name: 'Use token' }).click();
  }
  return p;
}
const shot = (p: Page, name: string) => p.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

describe('the web inspector at /ui', () => {
  it('without a token, or with a wrong one, every piece of data is refused', async () => {
    const p = await page();
    await expect.poll(() => p.getByTestId('status').textContent()).toBe('refused (401): a valid bearer token is required');
    expect(await p.getByTestId('namespaces').locator('li').count()).toBe(0);
    await expect.poll(() => p.getByTestId('live-error').textContent()).toContain('refused (401)');
    await shot(p, '1-no-token');
    await p.getByTestId('token').fill('not-a-token-of-this-server');
    await p.getByRole('button', { name: 'Use token' }).click();
    await expect.poll(() => p.getByTestId('status').textContent()).toContain('refused (401)');
    expect(await p.getByTestId('view').textContent()).toBe('');
    await p.close();
  });

  it('a tenant token sees only its namespaces, and no live statistics (they span every namespace)', async () => {
    const p = await page(READER);
    await expect.poll(() => p.getByTestId('namespaces').locator('button').allTextContents()).toEqual(['acme/app']);
    await expect.poll(() => p.getByTestId('live-error').textContent()).toContain('refused (403)');
    await p.close();
  });

  it('with the admin token: namespaces, paged records, a thread, profiles, sites and a filtered search', async () => {
    const p = await page(ADMIN);
    await expect.poll(() => p.getByTestId('namespaces').locator('button').allTextContents()).toEqual(['acme/app', 'globex/app']);
    await p.locator('button[data-ns="acme/app"]').click();
    const keys = () => p.getByTestId('records').locator('tbody tr td:first-child').allTextContents();
    await expect.poll(keys).toEqual(Array.from({ length: 20 }, (_, i) => `key:${String(i).padStart(2, '0')}`));
    await shot(p, '2-records');
    await p.getByTestId('next').click();
    await expect.poll(keys).toEqual(Array.from({ length: 20 }, (_, i) => `key:${String(i + 20).padStart(2, '0')}`));
    await p.getByTestId('next').click();
    await expect.poll(keys).toEqual(['key:40', 'key:41', 'key:42', 'key:43', 'key:44']);
    expect(await p.getByTestId('next').isDisabled()).toBe(true);
    await p.getByTestId('prev').click();
    await expect.poll(() => p.getByTestId('page').textContent()).toBe(' page 2 ');

    await p.getByRole('tab', { name: 'Threads' }).click();
    await p.getByRole('button', { name: 'support-1' }).click();
    await expect
      .poll(() => p.getByTestId('thread-messages').locator('tbody tr td:nth-child(3)').allTextContents())
      .toEqual(['my order did not arrive', 'let me look that up']);
    await p.getByRole('tab', { name: 'Profiles' }).click();
    await expect.poll(() => p.getByTestId('profiles').locator('tbody td:first-child').allTextContents()).toEqual(['ada']);
    await p.getByRole('tab', { name: 'Sites' }).click();
    await expect.poll(() => p.getByTestId('sites').locator('tbody tr').first().textContent()).toContain('search: input[name=q]');

    await p.getByRole('tab', { name: 'Search' }).click();
    await p.getByTestId('search-text').fill('hiking');
    await p.getByTestId('search-filter').fill('{"userId":"ada"}');
    await p.getByRole('button', { name: 'Search' }).click();
    const ids = () => p.getByTestId('hits').locator('tbody td:first-child').allTextContents();
    await expect.poll(ids).toContain('m1');
    expect(await ids()).not.toContain('m2'); // Bob's memory is filtered out
    expect((await ids())[0]).toBe('m1');
    await shot(p, '3-search');
    await p.getByTestId('search-filter').fill('{not json');
    await p.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => p.getByTestId('error').textContent()).toBe('filter: must be JSON');
    await p.close();
  });

  it('live statistics move when another process writes to the store', async () => {
    const p = await page(ADMIN);
    const seq = async () => Number(await p.getByTestId('stat-seq').textContent());
    // The first sample comes one interval (1 s) after the page connects: a rate needs one.
    await expect.poll(seq, { timeout: 15_000 }).toBeGreaterThan(0);
    const before = await seq();
    const writer = spawnScript(WRITER, [path, '9']);
    let acked = 0;
    let first!: () => void;
    const going = new Promise<void>((r) => (first = r));
    const exited = watchChild(writer, () => ++acked === 1 && first());
    try {
      await unlessExited(going, exited, 'its first write');
      await expect.poll(seq, { timeout: 15_000 }).toBeGreaterThan(before + 10);
      await expect.poll(async () => Number(await p.getByTestId('stat-writes').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(Number(await p.locator('#chart').getAttribute('data-points'))).toBeGreaterThan(0);
      await shot(p, '4-live-stats');
    } finally {
      writer.stdin!.end();
      await exited;
    }
    expect(acked).toBeGreaterThan(10);
    await p.close();
  });
});
