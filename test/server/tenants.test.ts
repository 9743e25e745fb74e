// Tenant isolation, adversarially: a token of tenant "globex" (and a read-only token of "acme")
// try every route, path trick, encoding, batch, filter, stream and protocol id they can think of
// to read or change tenant "acme"'s data. Every attempt must be refused (401/403/404, or 400 for a
// malformed namespace) or stay inside the caller's own namespaces, and no answer may contain a
// byte of acme's data.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { Tokens } from '../../src/server/tokens.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { post, request, type Answer } from '../helpers/http.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const T = {
  acme: 'acme-writer-token-0123456789',
  acmeRead: 'acme-reader-token-0123456789',
  globex: 'globex-writer-token-012345678',
  admin: 'admin-token-0123456789abcdef',
};
const SECRET = 'ACME-SECRET-7f3a';
let url = '';
let memex: Memex;
let acmeLease = '';

beforeAll(async () => {
  const file = `${tempDir()}/tokens.json`;
  writeFileSync(
    file,
    JSON.stringify([
      { token: T.acme, namespaces: ['acme/*'], access: 'write', name: 'acme' },
      { token: T.acmeRead, namespaces: ['acme/*'], access: 'read', name: 'acme-read' },
      { token: T.globex, namespaces: ['globex/*'], access: 'write', name: 'globex' },
      { token: T.admin, namespaces: ['*'], access: 'admin', name: 'ops' },
    ]),
  );
  const path = tempDbPath();
  const s = await serverAt(path, () => openMemex({ path, durability: 'normal' }), { tokens: Tokens.fromFile(file) });
  url = s.url;
  memex = s.memex;
  const acme = memex.scope('acme/app');
  await acme.kv.set('secret', SECRET);
  await acme.conversations.append('t1', { role: 'user', content: SECRET });
  await acme.vectors.upsert({ id: 'd1', text: `${SECRET} quarterly plan`, metadata: { owner: 'acme', note: SECRET } });
  await acme.cache.set('prompt', SECRET);
  await acme.profiles.set('u1', { name: SECRET });
  await acme.sites.recordQuirk('https://acme.example', SECRET);
  const lease = await post(url, '/v1/locks/acquire', { ns: 'acme/app', name: 'door', options: { leaseMs: 60_000 } }, auth(T.acme));
  acmeLease = (lease.body as { result: { leaseId: string } }).result.leaseId;
  await memex.scope('globex/app').kv.set('own', 'globex data');
});
afterAll(async () => {
  await stopServers();
  cleanupTemp();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const ACME_NS = ['acme/app', 'ACME/app', 'acme', 'acme/app/sub', 'default'];
const BAD_NS = [
  'acme%2Fapp',
  'globex/../acme/app',
  'globex/app/../../acme/app',
  '../acme/app',
  'globex/*',
  'acme/app/',
  '/acme/app',
  ' acme/app',
  'аcme/app',
  'acme\\app',
  '',
  'globex/app\u0000acme',
];

/** What was tried, how, the statuses that count as refused, and (for a 200) the answer that does. */
type Attempt = [what: string, run: () => Promise<Answer>, allowed: number[], refusal?: unknown];

function attempts(): Attempt[] {
  const g = auth(T.globex);
  const out: Attempt[] = [];
  const reads: [string, Record<string, unknown>][] = [
    ['/v1/kv/get', { key: 'secret' }],
    ['/v1/kv/getMany', { keys: ['secret'] }],
    ['/v1/kv/list', {}],
    ['/v1/conversations/recent', { threadId: 't1' }],
    ['/v1/vectors/search', { query: { text: 'quarterly plan' } }],
    ['/v1/cache/get', { key: 'prompt' }],
    ['/v1/profiles/get', { userId: 'u1' }],
    ['/v1/sites/quirks', { url: 'https://acme.example' }],
    ['/v1/events/since', { seq: 0 }],
    ['/v1/memex/recall', { input: { userId: 'u1', threadId: 't1', query: 'plan' } }],
    ['/v1/locks/inspect', { name: 'door' }],
  ];
  for (const ns of ACME_NS)
    for (const [path, body] of reads) out.push([`globex reads ${path} in ${ns}`, () => post(url, path, { ns, ...body }, g), [403]]);
  for (const ns of BAD_NS)
    out.push([`globex uses namespace ${JSON.stringify(ns)}`, () => post(url, '/v1/kv/get', { ns, key: 'secret' }, g), [400, 403]]);
  const writes: [string, Record<string, unknown>][] = [
    ['/v1/kv/set', { key: 'secret', value: 'pwned' }],
    ['/v1/kv/setMany', { entries: [{ key: 'secret', value: 'pwned' }] }],
    ['/v1/kv/commit', { checks: [], writes: [{ key: 'secret', value: 'pwned' }] }],
    ['/v1/kv/clear', {}],
    ['/v1/vectors/deleteWhere', { filter: { owner: 'acme' } }],
    ['/v1/conversations/delete', { threadId: 't1' }],
    ['/v1/cache/clear', {}],
    ['/v1/locks/release', { leaseId: acmeLease }],
  ];
  for (const [path, body] of writes) out.push([`globex writes ${path} in acme/app`, () => post(url, path, { ns: 'acme/app', ...body }, g), [403]]);
  // Duplicate keys: JSON keeps the last, which the check sees.
  out.push(['duplicate ns keys', () => post(url, '/v1/kv/get', '{"ns":"globex/app","ns":"acme/app","key":"secret"}', g), [403]]);
  out.push(['ns as an array', () => post(url, '/v1/kv/get', { ns: ['acme/app'], key: 'secret' }, g), [400]]);
  // The REST route and the event stream.
  out.push(['REST get in acme', () => request(url, '/v1/kv/secret?ns=acme/app', { headers: g }), [403]]);
  out.push(['REST get, ns twice', () => request(url, '/v1/kv/secret?ns=globex/app&ns=acme/app', { headers: g }), [400, 403]]);
  out.push(['REST traversal in the key', () => request(url, '/v1/kv/..%2F..%2Facme%2Fapp%2Fsecret?ns=globex/app', { headers: g }), [404]]);
  out.push([
    'REST put in acme',
    () => request(url, '/v1/kv/secret?ns=acme/app', { method: 'PUT', headers: { ...g, 'content-type': 'application/json' }, body: '"pwned"' }),
    [403],
  ]);
  out.push(['REST delete in acme', () => request(url, '/v1/kv/secret?ns=acme%2Fapp', { method: 'DELETE', headers: g }), [403]]);
  out.push(['SSE of acme', () => request(url, '/v1/events/watch?ns=acme/app&fromSeq=0', { headers: g }), [403]]);
  // Whole-store routes.
  for (const path of ['/v1/memex/stats', '/v1/memex/health', '/v1/memex/sweep', '/v1/memex/backup'])
    out.push([`globex calls ${path}`, () => post(url, path, { path: '/tmp/x.db' }, g), [403]]);
  out.push(['metrics without admin', () => request(url, '/metrics', { headers: g }), [403]]);
  // Protocol ids of another tenant, used from the caller's own namespace.
  // The lease protocol answers 200 either way: refused is `false` (no such lease in the caller's namespace).
  out.push([
    'release acme’s lease from globex',
    () => post(url, '/v1/locks/release', { ns: 'globex/app', leaseId: acmeLease }, g),
    [200],
    { result: false },
  ]);
  out.push([
    'renew acme’s lease from globex',
    () => post(url, '/v1/locks/renew', { ns: 'globex/app', leaseId: acmeLease }, g),
    [200],
    { result: false },
  ]);
  out.push(['fulfil an unknown claim', () => post(url, '/v1/cache/fulfil', { ns: 'globex/app', claimId: 'c_guess', value: 1 }, g), [400]]);
  // Filters and feeds in the caller's own namespace see only its own data.
  out.push([
    'filter naming acme',
    () => post(url, '/v1/vectors/search', { ns: 'globex/app', query: { text: 'plan', filter: { owner: 'acme' } } }, g),
    [200],
  ]);
  out.push(['events.since(0) in globex', () => post(url, '/v1/events/since', { ns: 'globex/app', seq: 0 }, g), [200]]);
  out.push(['cache key of acme in globex', () => post(url, '/v1/cache/get', { ns: 'globex/app', key: 'prompt' }, g), [200]]);
  // Bad credentials.
  out.push(['no token', () => post(url, '/v1/kv/get', { ns: 'acme/app', key: 'secret' }), [401]]);
  out.push(['unknown token', () => post(url, '/v1/kv/get', { ns: 'acme/app', key: 'secret' }, auth('not-a-token-at-all-xxxx')), [401]]);
  out.push(['token with a suffix', () => post(url, '/v1/kv/get', { ns: 'acme/app', key: 'secret' }, auth(`${T.acme}x`)), [401]]);
  out.push(['token prefix', () => post(url, '/v1/kv/get', { ns: 'acme/app', key: 'secret' }, auth(T.acme.slice(0, -1))), [401]]);
  out.push(['Basic scheme', () => post(url, '/v1/kv/get', { ns: 'acme/app', key: 'secret' }, { authorization: `Basic ${T.acme}` }), [401]]);
  out.push(['token in the query', () => post(url, `/v1/kv/get?token=${T.acme}`, { ns: 'acme/app', key: 'secret' }), [401]]);
  // A prefix pattern is not a string prefix.
  out.push(['acme token on acme-evil', () => post(url, '/v1/kv/get', { ns: 'acme-evil/app', key: 'secret' }, auth(T.acme)), [403]]);
  out.push(['acme token on acmex', () => post(url, '/v1/kv/get', { ns: 'acmex', key: 'secret' }, auth(T.acme)), [403]]);
  // A read token cannot write, anywhere in its namespaces.
  const r = auth(T.acmeRead);
  for (const [path, body] of writes.slice(0, 7))
    out.push([`read token writes ${path}`, () => post(url, path, { ns: 'acme/app', ...body }, r), [403]]);
  out.push(['read token takes a lock', () => post(url, '/v1/locks/acquire', { ns: 'acme/app', name: 'x' }, r), [403]]);
  out.push([
    'read token REST put',
    () => request(url, '/v1/kv/secret?ns=acme/app', { method: 'PUT', headers: { ...r, 'content-type': 'application/json' }, body: '"pwned"' }),
    [403],
  ]);
  return out;
}

describe('tenant isolation', () => {
  it('every attempt to reach another tenant is refused and leaks nothing', async () => {
    const list = attempts();
    expect(list.length).toBeGreaterThanOrEqual(60);
    for (const [what, run, allowed, refusal] of list) {
      const a = await run();
      expect(allowed, `${what}: ${a.status} ${a.text.slice(0, 200)}`).toContain(a.status);
      if (refusal !== undefined) expect(a.body, what).toEqual(refusal);
      expect(a.text, what).not.toContain(SECRET);
      if (a.status >= 400) expect(a.headers.get('content-type'), what).toContain('application/problem+json');
    }
    // Nothing of acme's changed, and its lease is still held.
    const acme = memex.scope('acme/app');
    expect(await acme.kv.get('secret')).toBe(SECRET);
    expect(await acme.vectors.count()).toBe(1);
    expect((await acme.conversations.get('t1'))?.messageCount).toBe(1);
    expect(await acme.cache.get('prompt')).toBe(SECRET);
    expect((await acme.locks.inspect('door')).holders).toHaveLength(1);
    // ... and acme itself can still renew and release it: the refusals above were about the caller.
    expect((await post(url, '/v1/locks/renew', { ns: 'acme/app', leaseId: acmeLease }, auth(T.acme))).body).toEqual({ result: true });
    expect((await post(url, '/v1/locks/release', { ns: 'acme/app', leaseId: acmeLease }, auth(T.acme))).body).toEqual({ result: true });
    expect((await acme.locks.inspect('door')).holders).toHaveLength(0);
  });

  it('each token reaches its own namespaces, and the admin token the whole store', async () => {
    expect((await post(url, '/v1/kv/get', { ns: 'acme/app', key: 'secret' }, auth(T.acme))).body).toEqual({ result: SECRET });
    expect((await post(url, '/v1/kv/get', { ns: 'acme/app', key: 'secret' }, auth(T.acmeRead))).body).toEqual({ result: SECRET });
    expect((await post(url, '/v1/kv/get', { ns: 'globex/app', key: 'own' }, auth(T.globex))).body).toEqual({ result: 'globex data' });
    expect((await post(url, '/v1/memex/stats', {}, auth(T.admin))).status).toBe(200);
    // The namespace list shows each token only the namespaces it may read.
    const names = async (t: string) =>
      ((await post(url, '/v1/memex/namespaces', {}, auth(t))).body as { result: { ns: string }[] }).result.map((n) => n.ns);
    expect(await names(T.globex)).toEqual(['globex/app']);
    expect(await names(T.acmeRead)).toEqual(['acme/app']);
    expect(await names(T.admin)).toEqual(['acme/app', 'globex/app']);
    expect((await request(url, '/metrics', { headers: auth(T.admin) })).status).toBe(200);
    // The remote client with a token: the same errors as typed MemexErrors.
    const client = await openMemex({ url, token: T.globex });
    await expect(client.scope('acme/app').kv.get('secret')).rejects.toMatchObject({ code: 'access_denied', status: 403 });
    expect(await client.scope('globex/app').kv.get('own')).toBe('globex data');
    await client.close();
    await expect(openMemex({ url, token: 'wrong-token-xxxxxxxxxxxx' })).rejects.toMatchObject({ code: 'access_denied', status: 401 });
  });

  it("cache/stats counts the caller's own namespace: globex never sees acme's hits and misses; the admin's store stats sum them", async () => {
    const stats = async (ns: string, token: string) =>
      ((await post(url, '/v1/cache/stats', { ns }, auth(token))).body as { result: { hits: number; misses: number; size: number } }).result;
    const before = { acme: await stats('acme/app', T.acme), globex: await stats('globex/app', T.globex) };
    for (let i = 0; i < 5; i++) await post(url, '/v1/cache/get', { ns: 'acme/app', key: 'prompt' }, auth(T.acme)); // hits
    for (let i = 0; i < 3; i++) await post(url, '/v1/cache/get', { ns: 'acme/app', key: `absent-${i}` }, auth(T.acme)); // misses
    const acme = await stats('acme/app', T.acme);
    expect([acme.hits - before.acme.hits, acme.misses - before.acme.misses]).toEqual([5, 3]);
    expect(await stats('globex/app', T.globex)).toEqual(before.globex);
    // The whole store (admin): every namespace's counts together.
    const all = ((await post(url, '/v1/memex/stats', {}, auth(T.admin))).body as { result: { stores: Record<string, { hits?: number }> } }).result;
    expect(all.stores.cache?.hits ?? 0).toBeGreaterThanOrEqual(acme.hits);
  });
});
