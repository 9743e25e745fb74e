// The MCP server with the SDK's own Client: over InMemoryTransport (every tool called, outputs
// checked against their schemas by the client), and over real stdio (a child `memex mcp` built
// from dist); two `memex mcp` processes on one file lose none of their concurrent writes.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const CLI = here(import.meta.url, '../../dist/cli/main.js');
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  cleanupTemp();
});

async function inMemory(ns = 'agents'): Promise<{ client: Client; mx: Memex }> {
  const mx = await openMemex({ path: tempDbPath(), durability: 'normal' });
  const server = createMcpServer(mx, { ns });
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(b);
  closers.push(async () => {
    await client.close();
    await mx.close();
  });
  return { client, mx };
}

const structured = (r: unknown) => (r as { structuredContent: Record<string, unknown> }).structuredContent;

describe('memex mcp', () => {
  it('lists the SPEC tools with input and output schemas and annotations; each call answers per its schema', async () => {
    const { client, mx } = await inMemory();
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    const spec = [
      'conversation_recent',
      'delete_memory',
      'kv_get',
      'kv_list',
      'kv_set',
      'recall',
      'remember',
      'search_memory',
      'site_context',
      'upsert_memory',
    ];
    const reference = [
      'add_observations',
      'create_entities',
      'create_relations',
      'delete_entities',
      'delete_observations',
      'delete_relations',
      'open_nodes',
      'read_graph',
      'search_nodes',
    ];
    const curated = [
      'block_append',
      'block_get',
      'block_list',
      'block_replace',
      'block_set',
      'memory_add',
      'memory_delete',
      'memory_history',
      'memory_ingest',
      'memory_invalidate',
      'memory_list',
      'memory_search',
      'memory_update',
    ];
    expect(names).toEqual([...spec, ...curated, ...reference].sort());
    for (const t of tools) {
      expect(t.outputSchema, t.name).toBeDefined();
      expect(t.annotations?.readOnlyHint, t.name).toBeTypeOf('boolean');
    }
    expect(tools.find((t) => t.name === 'delete_memory')!.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
    // The client validates every structuredContent against the tool's output schema.
    const ok = async (name: string, args: Record<string, unknown>) => {
      const r = await client.callTool({ name, arguments: args });
      expect(r.isError ?? false, `${name}: ${JSON.stringify(r.content)}`).toBe(false);
      expect((r.content as { type: string; text: string }[])[0]!.text).toBe(JSON.stringify(structured(r)));
      return structured(r);
    };
    expect(await ok('kv_set', { key: 'k', value: { a: 1 } })).toMatchObject({ version: expect.any(Number) });
    expect(await ok('kv_get', { key: 'k' })).toMatchObject({ found: true, value: { a: 1 } });
    expect(await ok('kv_get', { key: 'absent' })).toEqual({ found: false });
    for (let i = 0; i < 5; i++) await ok('kv_set', { key: `p${i}`, value: i });
    const first = await ok('kv_list', { prefix: 'p', limit: 2 });
    expect((first.items as unknown[]).length).toBe(2);
    const second = await ok('kv_list', { prefix: 'p', limit: 2, cursor: first.cursor });
    expect((second.items as { key: string }[])[0]!.key).toBe('p2');
    expect(await ok('remember', { userId: 'u1', threadId: 't1', message: 'I like hiking', response: 'Noted!' })).toMatchObject({
      messageSeq: expect.any(Number),
    });
    expect((await ok('recall', { userId: 'u1', threadId: 't1', query: 'hobbies' })).recent).toHaveLength(2);
    expect(await ok('upsert_memory', { id: 'm1', text: 'Ada prefers Python', metadata: { type: 'note' } })).toEqual({ upserted: 1 });
    const found = await ok('search_memory', { text: 'Python', filter: { type: 'note' }, limit: 1 });
    expect((found.results as { id: string }[]).map((h) => h.id)).toEqual(['m1']);
    const recent = await ok('conversation_recent', { threadId: 't1', limit: 1 });
    expect((recent.messages as { content: string }[])[0]!.content).toBe('Noted!');
    const older = await ok('conversation_recent', { threadId: 't1', limit: 1, cursor: recent.cursor });
    expect((older.messages as { content: string }[])[0]!.content).toBe('I like hiking');
    await mx.scope('agents').sites.recordQuirk('https://shop.example', 'cookie banner first');
    expect(String((await ok('site_context', { url: 'https://shop.example' })).context)).toContain('cookie banner');
    expect(await ok('delete_memory', { id: 'm1' })).toEqual({ deleted: true });
    // Everything happened in the namespace given, nothing in default.
    expect(await mx.kv.has('k')).toBe(false);
    expect(await mx.scope('agents').kv.get('k')).toEqual({ a: 1 });
  });

  it('failures are tool errors carrying the Memex code; resources give stats and events', async () => {
    const { client } = await inMemory();
    await client.callTool({ name: 'kv_set', arguments: { key: 'k', value: 1 } });
    const conflict = await client.callTool({ name: 'kv_set', arguments: { key: 'k', value: 2, ifVersion: 0 } });
    expect(conflict.isError).toBe(true);
    expect((conflict.content as { text: string }[])[0]!.text).toMatch(/^version_conflict: /);
    const bad = await client.callTool({ name: 'search_memory', arguments: { text: 'x', filter: { year: { $regex: '.' } } } });
    expect(bad.isError).toBe(true);
    expect((bad.content as { text: string }[])[0]!.text).toMatch(/^invalid_input: query\.filter\.year\.\$regex/);
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual(['memex://events', 'memex://stats']);
    const events = JSON.parse(((await client.readResource({ uri: 'memex://events' })).contents[0] as { text: string }).text) as { key: string }[];
    expect(events.map((e) => e.key)).toEqual(['k']);
    const stats = JSON.parse(((await client.readResource({ uri: 'memex://stats' })).contents[0] as { text: string }).text) as { writes: number };
    expect(stats.writes).toBeGreaterThan(0);
  });

  it('over real stdio, and two memex mcp processes on one file lose none of 2 x 20 concurrent writes', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const clients = await Promise.all(
      [0, 1].map(async () => {
        const transport = new StdioClientTransport({
          command: process.execPath,
          args: [CLI, 'mcp', '--path', path, '--ns', 'shared'],
          stderr: 'pipe',
        });
        const client = new Client({ name: 'stdio-test', version: '1' });
        await client.connect(transport);
        closers.push(() => client.close());
        return client;
      }),
    );
    expect((await clients[0]!.listTools()).tools.length).toBe(32);
    await Promise.all(
      clients.flatMap((c, p) =>
        Array.from({ length: 20 }, (_, i) =>
          c.callTool({ name: 'remember', arguments: { userId: 'u', threadId: 't', message: `p${p} #${i}`, response: 'ok' } }),
        ),
      ),
    );
    const r = await clients[1]!.callTool({ name: 'conversation_recent', arguments: { threadId: 't', limit: 100 } });
    const messages = structured(r).messages as { content: string }[];
    expect(messages).toHaveLength(80);
    expect(new Set(messages.filter((m) => m.content !== 'ok').map((m) => m.content)).size).toBe(40);
  });
});
