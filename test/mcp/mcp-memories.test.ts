// Curated memory and memory blocks through the MCP SDK's own Client (which validates every
// structuredContent against the tool's output schema): every tool called; bad input is a tool error
// naming the field and writes nothing; two agents' sessions on one store adding the same fact and
// appending to one block at once lose nothing and store nothing twice. Ingest runs against a
// scripted OpenAI-compatible model on loopback.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAiChat, openMemex, type Memex } from '../../src/index.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { startFakeLlm, type FakeLlm } from '../../src/testing/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  cleanupTemp();
});
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ latencyMs: 5 });
});
afterAll(() => fake.close());

async function session(mx: Memex): Promise<Client> {
  const server = createMcpServer(mx, { ns: 'agents' });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'agent', version: '1' });
  await client.connect(b);
  closers.push(() => client.close());
  return client;
}
async function store(): Promise<Memex> {
  const mx = await openMemex({ path: tempDbPath(), durability: 'normal', llm: openAiChat({ baseUrl: fake.baseUrl, model: 'fake' }) });
  closers.push(() => mx.close());
  return mx;
}
const call = async (c: Client, name: string, args: Record<string, unknown>) => {
  const r = await c.callTool({ name, arguments: args });
  expect(r.isError ?? false, `${name}: ${JSON.stringify(r.content)}`).toBe(false);
  return (r as unknown as { structuredContent: Record<string, unknown> }).structuredContent;
};
const failure = async (c: Client, name: string, args: Record<string, unknown>) => {
  const r = await c.callTool({ name, arguments: args });
  expect(r.isError, name).toBe(true);
  return (r.content as { text: string }[])[0]!.text;
};

describe('curated memory over MCP', () => {
  it('every memory and block tool answers per its schema', async () => {
    const mx = await store();
    const c = await session(mx);
    const added = await call(c, 'memory_add', { text: 'The user lives in Paris', subject: 'user' });
    expect(added).toMatchObject({ op: 'added' });
    expect(await call(c, 'memory_add', { text: 'the user lives in Paris.' })).toMatchObject({ id: added.id, op: 'unchanged' });
    const ingested = await call(c, 'memory_ingest', { messages: [{ role: 'user', content: 'I have a dog named Rex.' }], idempotencyKey: 'turn-1' });
    expect(ingested).toMatchObject({ replayed: false, facts: [{ op: 'added', text: 'The user has a dog named Rex' }] });
    const { results } = (await call(c, 'memory_search', { text: 'where does the user live', topK: 1 })) as { results: { id: string }[] };
    expect(results.map((r) => r.id)).toEqual([added.id]);
    const updated = await call(c, 'memory_update', { id: added.id, text: 'The user lives in Lyon', ifVersion: added.version, reason: 'moved' });
    expect(updated).toMatchObject({ op: 'updated' });
    expect(await failure(c, 'memory_update', { id: added.id, text: 'x', ifVersion: added.version })).toMatch(/^version_conflict/);
    expect(await call(c, 'memory_invalidate', { id: added.id })).toMatchObject({ op: 'invalidated' });
    const { versions } = (await call(c, 'memory_history', { id: added.id })) as { versions: { op: string }[] };
    expect(versions.map((v) => v.op)).toEqual(['added', 'updated', 'invalidated']);
    expect(((await call(c, 'memory_list', { includeInvalid: true })) as { items: unknown[] }).items).toHaveLength(2);
    expect(await call(c, 'memory_delete', { id: added.id })).toEqual({ deleted: true });
    expect(await call(c, 'block_get', { label: 'human' })).toEqual({ found: false });
    const set = await call(c, 'block_set', { label: 'human', value: 'Name: Ada', ifVersion: 0 });
    expect(await call(c, 'block_append', { label: 'human', text: 'Likes trains' })).toMatchObject({ length: 'Name: Ada\nLikes trains'.length });
    expect(await call(c, 'block_replace', { label: 'human', oldText: 'trains', newText: 'boats' })).toMatchObject({ version: expect.any(Number) });
    expect(await call(c, 'block_get', { label: 'human' })).toMatchObject({ found: true, value: 'Name: Ada\nLikes boats' });
    expect(await failure(c, 'block_set', { label: 'human', value: 'x', ifVersion: set.version })).toMatch(/^version_conflict/);
    expect(((await call(c, 'block_list', {})) as { blocks: unknown[] }).blocks).toHaveLength(1);
    // The session's namespace is the only one touched.
    expect((await mx.memories.list({ includeInvalid: true })).items).toEqual([]);
    expect((await mx.scope('agents').memories.list()).items.map((f) => f.text)).toEqual(['The user has a dog named Rex']);
  });

  it('bad input is a tool error naming the field, and nothing is written', async () => {
    const mx = await store();
    const c = await session(mx);
    expect(await failure(c, 'memory_add', { text: '' })).toMatch(/text/);
    expect(await failure(c, 'memory_add', { text: 'x', colour: 'red' })).toMatch(/colour/);
    expect(await failure(c, 'memory_add', { text: 'x', validFrom: 10, validTo: 5 })).toMatch(/^invalid_input: .*fact\.validTo/);
    expect(await failure(c, 'block_set', { label: 'bad label', value: 'x' })).toMatch(/label/);
    expect(await failure(c, 'block_replace', { label: 'none', oldText: 'a', newText: 'b' })).toMatch(/^invalid_input: .*label/);
    expect((await mx.scope('agents').memories.list({ includeInvalid: true })).items).toEqual([]);
    expect(await mx.scope('agents').blocks.list()).toEqual([]);
  });

  it('two agents’ sessions on one store: the same fact added 10 times at once is stored once; 40 appends to one block are all kept', async () => {
    const mx = await store();
    const [a, b] = [await session(mx), await session(mx)];
    const outs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call(i % 2 ? a : b, 'memory_add', { text: 'The user prefers window seats' })),
    );
    expect(new Set(outs.map((o) => o.id)).size).toBe(1);
    await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 ? a : b, 'block_append', { label: 'log', text: `line ${i}` })));
    const log = (await mx.scope('agents').blocks.get('log'))!.value as string;
    expect(log.split('\n').sort()).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i}`).sort());
  });
});
