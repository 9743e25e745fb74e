/**
 * Every bound `/openapi.json` publishes is the bound the server enforces (issue 30: the contract
 * said 1,000 keys per batch while the store took 10,000, and profiles, sites and recall published
 * no bound at all). Against a real server: the document's bounds are collected by walking every
 * request schema; each must have a probe here (a new bound without one fails), and each probe
 * sends the bound (accepted), one past it (refused, 400, naming the field, nothing written) and,
 * for an integer with a minimum, one below that (refused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiChat, openMemex } from '../../src/index.js';
import { startFakeLlm, type FakeLlm } from '../../src/testing/index.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { post, request } from '../helpers/http.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

interface Schema {
  type?: string;
  maxItems?: number;
  maximum?: number;
  minimum?: number;
  maxLength?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
}
interface Bound {
  /** `kv/getMany keys`: the route and the path of the bounded argument. */
  where: string;
  kind: 'maxItems' | 'maximum' | 'maxLength';
  max: number;
  min: number | undefined;
}

/** Every upper bound of every request body (integers' safe-integer maximum aside: that is JSON's, not ours). */
function boundsOf(doc: { paths: Record<string, { post?: { requestBody?: { content: Record<string, { schema: Schema }> } } }> }): Bound[] {
  const out: Bound[] = [];
  const walk = (s: Schema | undefined, route: string, path: string[]) => {
    if (!s) return;
    const where = `${route} ${path.join('.')}`;
    if (s.maxItems !== undefined) out.push({ where, kind: 'maxItems', max: s.maxItems, min: undefined });
    if (s.maximum !== undefined && s.maximum !== Number.MAX_SAFE_INTEGER) out.push({ where, kind: 'maximum', max: s.maximum, min: s.minimum });
    if (s.maxLength !== undefined) out.push({ where, kind: 'maxLength', max: s.maxLength, min: undefined });
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, route, [...path, k]);
    walk(s.items, route, [...path, '[]']);
    for (const v of s.anyOf ?? []) walk(v, route, path);
  };
  for (const [route, item] of Object.entries(doc.paths))
    walk(item.post?.requestBody?.content['application/json']?.schema, route.replace('/v1/', ''), []);
  return out;
}

const text = (n: number) => 'a'.repeat(n);
const nothing = [{ role: 'assistant', content: 'Noted.' }];
/** Curated memory's bounds: batch sizes, text lengths, notes (a caller's name, a reason, an idempotency key). */
const MEMORY_PROBES: typeof PROBES = {
  'memories/add facts': { body: (n) => ({ ns: 'mem', facts: Array.from({ length: n }, (_, i) => ({ text: `fact ${i} of ${n}` })) }), field: 'facts' },
  'memories/add facts.text': { body: (n) => ({ ns: 'mem', facts: { text: text(n) } }), field: 'fact.text' },
  'memories/add facts.[].text': { body: (n) => ({ ns: 'mem', facts: [{ text: text(n) }] }), field: 'facts[0].text' },
  'memories/add facts.subject': { body: (n) => ({ ns: 'mem', facts: { text: 'x', subject: text(n) } }), field: 'fact.subject' },
  'memories/add facts.[].subject': { body: (n) => ({ ns: 'mem', facts: [{ text: 'x', subject: text(n) }] }), field: 'facts[0].subject' },
  'memories/add options.by': { body: (n) => ({ ns: 'mem', facts: { text: 'x' }, options: { by: text(n) } }), field: 'options.by' },
  'memories/add options.idempotencyKey': {
    body: (n) => ({ ns: 'mem', facts: { text: 'x' }, options: { idempotencyKey: text(n) } }),
    field: 'options.idempotencyKey',
  },
  'memories/ingest messages': { body: (n) => ({ ns: 'mem', messages: Array.from({ length: n }, () => nothing[0]) }), field: 'messages' },
  'memories/ingest messages.[]': { body: (n) => ({ ns: 'mem', messages: [text(n)] }), field: 'messages[0]' },
  'memories/ingest messages.[].content': { body: (n) => ({ ns: 'mem', messages: [{ role: 'assistant', content: text(n) }] }), field: 'messages[0]' },
  'memories/ingest messages.[].role': { body: (n) => ({ ns: 'mem', messages: [{ role: text(n), content: 'ok' }] }), field: 'messages[0]' },
  'memories/ingest options.by': { body: (n) => ({ ns: 'mem', messages: nothing, options: { by: text(n) } }), field: 'options.by' },
  'memories/ingest options.idempotencyKey': {
    body: (n) => ({ ns: 'mem', messages: nothing, options: { idempotencyKey: text(n) } }),
    field: 'options.idempotencyKey',
  },
  'memories/search query.text': { body: (n) => ({ ns: 'mem', query: { text: text(n) } }), field: 'query.text' },
  'memories/search query.topK': { body: (n) => ({ ns: 'mem', query: { text: 'x', topK: n } }), field: 'query.topK' },
  'memories/list options.limit': { body: (n) => ({ ns: 'mem', options: { limit: n } }), field: 'options.limit' },
  'memories/update options.by': { body: (n) => ({ ns: 'mem', id: factId, text: `by ${n}`, options: { by: text(n) } }), field: 'options.by' },
  'memories/update options.reason': {
    body: (n) => ({ ns: 'mem', id: factId, text: `reason ${n}`, options: { reason: text(n) } }),
    field: 'options.reason',
  },
  'memories/invalidate options.by': { body: (n) => ({ ns: 'mem', id: factId, options: { by: text(n) } }), field: 'options.by' },
  'memories/invalidate options.reason': { body: (n) => ({ ns: 'mem', id: factId, options: { reason: text(n) } }), field: 'options.reason' },
};
/** A fact the update and invalidate probes change (added in beforeAll). */
let factId = '';

const keys = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);
const doc = (id: string) => ({ id, vector: [1, 0.5, 0.25] });
const recall = (extra: Record<string, number>) => ({ input: { userId: 'u', threadId: 't', query: 'q', ...extra } });

/**
 * How to send `n` to each bound, the field a refusal names, and (for a write) what must not exist
 * after a refused one. Keys: `route path` as boundsOf names them. Every key (a record key, a
 * thread id, …) is bounded by one `maxLength` (512 UTF-8 bytes): probed once, through kv.set.
 */
const PROBES: Record<string, { body: (n: number) => unknown; field: string; absentAfter?: (n: number) => [route: string, body: unknown] }> = {
  'kv/getMany keys': { body: (n) => ({ keys: keys('g', n) }), field: 'keys' },
  'kv/getEntries keys': { body: (n) => ({ keys: keys('e', n) }), field: 'keys' },
  'kv/setMany entries': {
    body: (n) => ({ entries: keys(`s${n}`, n).map((key, value) => ({ key, value })) }),
    field: 'entries',
    absentAfter: (n) => ['kv/get', { key: `s${n}-0` }],
  },
  'kv/patch ops': { body: (n) => ({ key: `patched-${n}`, ops: Array.from({ length: n }, () => ({ op: 'increment' })) }), field: 'ops' },
  'kv/patchBatch items': {
    body: (n) => ({ items: Array.from({ length: n }, () => ({ key: 'batched', ops: [{ op: 'increment' }] })) }),
    field: 'items',
  },
  'kv/patchBatch items.[].ops': {
    body: (n) => ({ items: [{ key: `pb-${n}`, ops: Array.from({ length: n }, () => ({ op: 'increment' })) }] }),
    field: 'items.0.ops',
  },
  'kv/list options.limit': { body: (n) => ({ options: { limit: n } }), field: 'options.limit' },
  'conversations/recent limit': { body: (n) => ({ threadId: 't', limit: n }), field: 'limit' },
  'conversations/page options.limit': { body: (n) => ({ threadId: 't', options: { limit: n } }), field: 'options.limit' },
  'conversations/list options.limit': { body: (n) => ({ options: { limit: n } }), field: 'options.limit' },
  'conversations/listPage options.limit': { body: (n) => ({ options: { limit: n } }), field: 'options.limit' },
  'vectors/upsert docs': {
    body: (n) => ({ ns: 'vec', docs: keys(`v${n}`, n).map(doc) }),
    field: 'docs',
    absentAfter: (n) => ['vectors/get', { ns: 'vec', id: `v${n}-0` }],
  },
  'vectors/search query.topK': { body: (n) => ({ ns: 'vec', query: { vector: [1, 0, 0], topK: n } }), field: 'query.topK' },
  'profiles/list options.limit': { body: (n) => ({ options: { limit: n } }), field: 'options.limit' },
  'sites/list options.limit': { body: (n) => ({ options: { limit: n } }), field: 'options.limit' },
  'sites/contextForPrompt options.maxChars': { body: (n) => ({ url: 'example.com', options: { maxChars: n } }), field: 'options.maxChars' },
  'events/since options.limit': { body: (n) => ({ seq: 0, options: { limit: n } }), field: 'options.limit' },
  'memex/recall input.recent': { body: (n) => recall({ recent: n }), field: 'recent' },
  'memex/recall input.topK': { body: (n) => recall({ topK: n }), field: 'topK' },
  'memex/recall input.facts': { body: (n) => recall({ facts: n }), field: 'facts' },
  ...MEMORY_PROBES,
  // A key past the bound cannot be read back either: nothing to check for absence.
  'kv/set key': { body: (n) => ({ key: 'k'.repeat(n), value: n }), field: 'key' },
};
/** Where the same key bound appears besides kv.set (one probe stands for them). */
const isKeyBound = (b: Bound) => b.kind === 'maxLength' && b.max === 512;

describe('the bounds /openapi.json publishes are the ones the server enforces', () => {
  let url = '';
  let bounds: Bound[] = [];
  let fake: FakeLlm;
  beforeAll(async () => {
    const path = tempDbPath();
    fake = await startFakeLlm({ latencyMs: 0 });
    const llm = openAiChat({ baseUrl: fake.baseUrl, model: 'fake' });
    ({ url } = await serverAt(path, () => openMemex({ path, durability: 'normal', llm })));
    factId = ((await post(url, '/v1/memories/add', { ns: 'mem', facts: { text: 'The probe fact' } })).body as { result: { id: string } }).result.id;
    bounds = boundsOf((await request(url, '/openapi.json')).body as Parameters<typeof boundsOf>[0]);
    // vectors.search needs a collection (its dimension) to reach the topK check; in a namespace of
    // its own, as recall embeds its query (384 dimensions) into the default one.
    expect((await post(url, '/v1/vectors/upsert', { ns: 'vec', docs: [doc('seed')] })).status).toBe(200);
  });
  afterAll(async () => {
    await fake.close();
    await stopServers();
    cleanupTemp();
  });

  it('every published bound has a probe, and every probe a published bound', () => {
    const published = new Set(bounds.filter((b) => !isKeyBound(b) || b.where === 'kv/set key').map((b) => b.where));
    expect([...published].sort()).toEqual(Object.keys(PROBES).sort());
    // The key bound is the same wherever a key is taken; other lengths are texts, each probed.
    expect(bounds.filter((b) => b.kind === 'maxLength' && !(b.where in PROBES)).every(isKeyBound)).toBe(true);
  });

  it('at the bound: accepted; one past it (and one below an integer minimum): 400 naming the field, nothing written', async () => {
    const seen: string[] = [];
    for (const b of bounds.filter((x) => !isKeyBound(x) || x.where === 'kv/set key')) {
      const probe = PROBES[b.where]!;
      const [route] = b.where.split(' ');
      const at = await post(url, `/v1/${route}`, probe.body(b.max));
      expect(at.status, `${b.where} = ${b.max}: ${at.text.slice(0, 300)}`).toBe(200);
      const past = await post(url, `/v1/${route}`, probe.body(b.max + 1));
      expect(past.status, `${b.where} = ${b.max + 1}`).toBe(400);
      expect(past.body, `${b.where} = ${b.max + 1}`).toMatchObject({ code: 'invalid_input', field: probe.field });
      if (probe.absentAfter) {
        const [r, body] = probe.absentAfter(b.max + 1);
        const read = await post(url, `/v1/${r}`, body);
        expect(read.status, `${b.where}: read after the refusal`).toBe(200);
        const result = (read.body as { result?: unknown }).result;
        expect(result === undefined || (Array.isArray(result) && result.every((x) => x === null)), `${b.where}: nothing written`).toBe(true);
      }
      if (b.min !== undefined) {
        const below = await post(url, `/v1/${route}`, probe.body(b.min - 1));
        expect(below.body, `${b.where} = ${b.min - 1}`).toMatchObject({ code: 'invalid_input', field: probe.field });
      }
      seen.push(b.where);
    }
    expect(seen.length).toBe(Object.keys(PROBES).length);
  });
});
