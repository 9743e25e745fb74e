// The HTTP API as a non-TypeScript client sees it, against a real server on a loopback port:
// the OpenAPI document, errors as problem+json naming the field (nothing written), size limits,
// keys of any characters, HTTP compare-and-set, idempotent retries, and the event stream.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { OPS } from '../../src/contract/index.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { post, request } from '../helpers/http.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

afterEach(async () => {
  await stopServers();
  cleanupTemp();
});

const start = async (o: Parameters<typeof serverAt>[2] = {}) => {
  const path = tempDbPath();
  return serverAt(path, () => openMemex({ path, durability: 'normal' }), o);
};

describe('http api', () => {
  it('serves an OpenAPI 3.1 document that a validator accepts, with every operation and an example each', async () => {
    const { url } = await start();
    const doc = (await request(url, '/openapi.json')).body as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const res = await new Validator().validate(doc);
    expect(res.errors ?? []).toEqual([]);
    expect(res.valid).toBe(true);
    for (const op of OPS) {
      const p = doc.paths[`/v1/${op.id.replace('.', '/')}`]?.post;
      expect(p, op.id).toBeDefined();
      expect(p!.requestBody!.content['application/json']!.example, op.id).toBeDefined();
    }
    // Every store's every method is reachable.
    const ids = new Set(OPS.map((o) => o.id));
    for (const m of [
      'kv.getMany',
      'kv.setMany',
      'kv.commit',
      'cache.claim',
      'vectors.deleteWhere',
      'vectors.count',
      'locks.acquire',
      'locks.renew',
      'locks.release',
      'events.since',
      'memex.remember',
      'memex.recall',
      'memex.sweep',
      'memex.backup',
      'sites.contextForPrompt',
      'profiles.set',
    ])
      expect(ids.has(m), m).toBe(true);
  });

  it('answers each example request of the document as documented', async () => {
    const { url } = await start();
    // Run every example whose preconditions a fresh store meets; the others must fail as problem+json.
    for (const op of OPS) {
      if (op.access === 'admin') continue;
      const a = await post(url, `/v1/${op.id.replace('.', '/')}`, op.scoped ? { ns: 'examples', ...op.example.args } : op.example.args);
      if (a.status === 200) expect(a.body, op.id).toBeTypeOf('object');
      else expect(a.headers.get('content-type'), `${op.id}: ${a.text}`).toContain('application/problem+json');
    }
  });

  it('bad input is 400 problem+json naming the field, and nothing is written', async () => {
    const { url, memex } = await start();
    const before = await memex.events.lastSeq();
    const cases: [string, unknown, string][] = [
      ['/v1/kv/set', { key: '', value: 1 }, 'key'],
      ['/v1/kv/set', { key: 'k', value: 1, options: { ttlMs: -5 } }, 'options.ttlMs'],
      ['/v1/kv/set', { key: 'k', value: 1, options: { ifVersin: 0 } }, 'options.ifVersin'],
      ['/v1/kv/set', { key: 'k' }, 'value'],
      ['/v1/kv/set', '{"key":"k","value":{"__proto__":{"polluted":true}}}', 'value.__proto__'],
      ['/v1/kv/set', '{"key":"k","value":{"a":{"constructor":{"prototype":1}}}}', 'value.a.constructor'],
      [
        '/v1/kv/setMany',
        {
          entries: [
            { key: 'a', value: 1 },
            { key: 7, value: 2 },
          ],
        },
        'entries[1].key',
      ],
      ['/v1/kv/set', { ns: '../etc', key: 'k', value: 1 }, 'ns'],
      ['/v1/kv/set', { ns: 'a//b', key: 'k', value: 1 }, 'ns'],
      ['/v1/conversations/append', { threadId: 't', message: { role: 'User!', content: 'x' } }, 'message.role'],
      ['/v1/vectors/search', { query: { text: 'x', filter: { year: { $regex: '.*' } } } }, 'query.filter.year.$regex'],
      ['/v1/vectors/upsert', { docs: [{ id: 'a', vector: [1, 'x'] }] }, 'docs[0].vector'],
      ['/v1/cache/set', { key: 'k', value: 1, options: { ttlMs: 'soon' } }, 'options.ttlMs'],
      ['/v1/locks/acquire', { name: 'l', options: { mode: 'read' } }, 'options.mode'],
      ['/v1/events/since', { seq: -1 }, 'seq'],
      ['/v1/kv/get', '[1,2]', 'body'],
      ['/v1/kv/get', '{"key": ', 'body'],
    ];
    for (const [path, body, field] of cases) {
      const a = await post(url, path, body);
      expect(a.status, `${path} ${JSON.stringify(body)}: ${a.text}`).toBe(400);
      expect(a.headers.get('content-type')).toContain('application/problem+json');
      expect(a.body).toMatchObject({ status: 400, code: 'invalid_input', field });
    }
    expect(await memex.events.lastSeq()).toBe(before);
  });

  it('a body over the limit is 413 problem+json and writes nothing', async () => {
    const { url, memex } = await start({ bodyLimit: 64 * 1024 });
    const a = await post(url, '/v1/kv/set', { key: 'big', value: 'x'.repeat(100 * 1024) });
    expect(a.status).toBe(413);
    expect(a.headers.get('content-type')).toContain('application/problem+json');
    expect(await memex.kv.has('big')).toBe(false);
  });

  it('keys of any characters round-trip, through the operations and the REST route', async () => {
    const { url } = await start();
    const keys = ['a/b', '%2F', 'q?x=1', 'frag#1', 'sp ace', '..', '../x', 'emoji 🧠', 'ü'.repeat(256), 'x'.repeat(512), '\t\n'];
    for (const key of keys) {
      const set = await post(url, '/v1/kv/set', { ns: 'keys', key, value: { key } });
      expect(set.status, key).toBe(200);
      expect((await post(url, '/v1/kv/get', { ns: 'keys', key })).body).toEqual({ result: { key } });
      // URLs resolve "." and ".." segments (even percent-encoded) before they are sent: those two
      // keys cannot be a path segment, so the REST route documents POST /v1/kv/get for them.
      if (key === '..') continue;
      const rest = await request(url, `/v1/kv/${encodeURIComponent(key)}?ns=keys`);
      expect(rest.status, key).toBe(200);
      expect(rest.body).toEqual({ key });
    }
    const list = (await post(url, '/v1/kv/list', { ns: 'keys', options: { limit: 100 } })).body as { result: { items: { key: string }[] } };
    expect(list.result.items.map((e) => e.key).sort()).toEqual([...keys].sort());
  });

  it('compare-and-set the HTTP way: ETag, If-Match, If-None-Match: * (412 when it fails)', async () => {
    const { url } = await start();
    const put = (body: unknown, headers: Record<string, string> = {}) =>
      request(url, '/v1/kv/cart?ns=shop', { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect((await put(['apple'], { 'if-none-match': '*' })).status).toBe(200);
    expect((await put(['pear'], { 'if-none-match': '*' })).status).toBe(412);
    const got = await request(url, '/v1/kv/cart?ns=shop');
    const etag = got.headers.get('etag')!;
    expect(got.body).toEqual(['apple']);
    expect((await put(['apple', 'pear'], { 'if-match': etag })).status).toBe(200);
    const stale = await put(['lost update'], { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'version_conflict' });
    expect((await request(url, '/v1/kv/cart?ns=shop')).body).toEqual(['apple', 'pear']);
    expect((await request(url, '/v1/kv/absent?ns=shop')).status).toBe(404);
  });

  it('the REST route holds the bounds of kv.set and refuses a parameter it does not take, writing nothing', async () => {
    const { url } = await start();
    const put = (path: string, body: unknown = 1) =>
      request(url, path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const at = 'k'.repeat(512);
    expect((await put(`/v1/kv/${at}?ns=b`)).status).toBe(200);
    expect(await put(`/v1/kv/${at}k?ns=b`)).toMatchObject({ status: 400, body: { code: 'invalid_input', field: 'key' } });
    expect((await put(`/v1/kv/t?ns=b&ttlMs=1000`)).status).toBe(200);
    for (const [query, field] of [
      ['ttl=1000', 'ttl'],
      ['namespace=b', 'namespace'],
      ['ttlMs=-1', 'ttlMs'],
      ['ttlMs=soon', 'ttlMs'],
      ['ttlMs=0', 'options.ttlMs'],
    ] as const) {
      expect(await put(`/v1/kv/x?ns=b&${query}`), query).toMatchObject({ status: 400, body: { code: 'invalid_input', field } });
    }
    expect(await request(url, '/v1/kv/x?ns=b&ifVersion=1')).toMatchObject({ status: 400, body: { field: 'ifVersion' } });
    expect((await post(url, '/v1/kv/list', { ns: 'b' })).body).toMatchObject({ result: { items: [{ key: at }, { key: 't' }] } });
  });

  it('a write resent with the same Idempotency-Key is applied once', async () => {
    const { url, memex } = await start();
    const scope = memex.scope('idem');
    const headers = { 'idempotency-key': 'k-1' };
    const body = { ns: 'idem', threadId: 't', message: { role: 'user', content: 'once' } };
    const answers = await Promise.all([1, 2, 3].map(() => post(url, '/v1/conversations/append', body, headers)));
    for (const a of answers) expect(a.status).toBe(200);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect((await post(url, '/v1/conversations/append', body, headers)).body).toEqual(answers[0]!.body);
    expect((await scope.conversations.get('t'))?.messageCount).toBe(1);
    const reused = await post(url, '/v1/conversations/append', { ...body, message: { role: 'user', content: 'other' } }, headers);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ field: 'Idempotency-Key' });
    expect((await post(url, '/v1/conversations/append', body)).status).toBe(200); // without a key: a new message
    expect((await scope.conversations.get('t'))?.messageCount).toBe(2);
  });

  it('health, readiness and metrics; CORS is off unless configured', async () => {
    const { url } = await start({ corsOrigins: ['https://inspector.example'] });
    expect((await request(url, '/healthz')).body).toEqual({ ok: true });
    const ready = await request(url, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ok: true });
    await post(url, '/v1/kv/set', { key: 'k', value: 1 });
    await post(url, '/v1/kv/set', { key: 'k', value: 2, options: { ifVersion: 999 } });
    await post(url, '/v1/cache/get', { key: 'nothing' });
    const m = await request(url, '/metrics');
    expect(m.status).toBe(200);
    for (const name of [
      'memex_http_request_duration_seconds_bucket{',
      'memex_conflicts_total 1',
      'memex_lock_waits_total',
      'memex_lock_timeouts_total',
      'memex_cache_hit_ratio',
      'memex_health_check{',
    ])
      expect(m.text, name).toContain(name);
    expect(m.text).toMatch(/memex_http_request_duration_seconds_count\{[^}]*route="\/v1\/kv\/set"[^}]*status="409"[^}]*\} 1/);
    const noCors = await request(url, '/v1/kv/get', {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      body: '{"key":"k"}',
    });
    expect(noCors.headers.get('access-control-allow-origin')).toBeNull();
    const cors = await request(url, '/v1/kv/get', {
      method: 'POST',
      headers: { origin: 'https://inspector.example', 'content-type': 'application/json' },
      body: '{"key":"k"}',
    });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://inspector.example');
  });

  it('the event stream resumes after Last-Event-ID: nothing missed, nothing repeated', async () => {
    const { url, memex } = await start();
    const s = memex.scope('feed');
    for (let i = 0; i < 5; i++) await s.kv.set(`k${i}`, i);
    const all = await s.events.since(0);
    const ac = new AbortController();
    const res = await fetch(`${url}/v1/events/watch?ns=feed&intervalMs=10`, { headers: { 'last-event-id': String(all[1]!.seq) }, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/^id: /gm) ?? []).length < 4) {
      if ((text.match(/^id: /gm) ?? []).length === 3) await s.kv.set('later', 1);
      text += new TextDecoder().decode((await reader.read()).value);
    }
    ac.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([...all.slice(2).map((e) => e.seq), (await s.kv.getEntry('later'))!.version]);
  });
});
