// /mcp on memex serve with the SDK's own Client over streamable HTTP: sessions bound to their
// namespace and token, a read token gets only read-only tools, a foreign Origin or Host is 403,
// no token is 401.
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { Tokens } from '../../src/server/tokens.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { post, request } from '../helpers/http.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const WRITER = 'mcp-writer-token-0123456789';
const READER = 'mcp-reader-token-0123456789';
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  await stopServers();
  cleanupTemp();
});

async function start(withTokens: boolean) {
  const path = tempDbPath();
  let tokens: Tokens | undefined;
  if (withTokens) {
    const file = `${tempDir()}/tokens.json`;
    writeFileSync(
      file,
      JSON.stringify([
        { token: WRITER, namespaces: ['acme/*'], access: 'write' },
        { token: READER, namespaces: ['acme/*'], access: 'read' },
      ]),
    );
    tokens = Tokens.fromFile(file);
  }
  return serverAt(path, () => openMemex({ path, durability: 'normal' }), tokens ? { tokens } : {});
}

async function connect(url: string, ns: string, token?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp?ns=${encodeURIComponent(ns)}`), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : {},
  });
  const client = new Client({ name: 'http-test', version: '1' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const text = (r: unknown) => ((r as { content: { text: string }[] }).content[0] ?? { text: '' }).text;

describe('/mcp on memex serve', () => {
  it('a session works in its namespace; a read token gets only the read-only tools', async () => {
    const s = await start(true);
    const writer = await connect(s.url, 'acme/app', WRITER);
    expect((await writer.listTools()).tools).toHaveLength(32);
    const set = await writer.callTool({ name: 'kv_set', arguments: { key: 'k', value: 'v' } });
    expect(set.isError ?? false, text(set)).toBe(false);
    expect(await s.memex.scope('acme/app').kv.get('k')).toBe('v');
    const reader = await connect(s.url, 'acme/app', READER);
    const names = (await reader.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual([
      'block_get',
      'block_list',
      'conversation_recent',
      'kv_get',
      'kv_list',
      'memory_history',
      'memory_list',
      'memory_search',
      'open_nodes',
      'read_graph',
      'recall',
      'search_memory',
      'search_nodes',
      'site_context',
    ]);
    expect((await reader.callTool({ name: 'kv_get', arguments: { key: 'k' } })).structuredContent).toEqual({
      found: true,
      value: 'v',
      version: expect.any(Number),
    });
    const denied = await reader.callTool({ name: 'kv_set', arguments: { key: 'k', value: 'x' } });
    expect(denied.isError).toBe(true);
    expect(await s.memex.scope('acme/app').kv.get('k')).toBe('v');
  });

  it('no token is 401, another tenant’s namespace 403, a foreign Origin 403, a session used by another token 403', async () => {
    const s = await start(true);
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    const accept = { accept: 'application/json, text/event-stream' };
    expect((await post(s.url, '/mcp?ns=acme/app', init, accept)).status).toBe(401);
    expect((await post(s.url, '/mcp?ns=globex/app', init, { ...accept, authorization: `Bearer ${WRITER}` })).status).toBe(403);
    const foreign = await post(s.url, '/mcp?ns=acme/app', init, { ...accept, authorization: `Bearer ${WRITER}`, origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    const ok = await request(s.url, '/mcp?ns=acme/app', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...accept, authorization: `Bearer ${WRITER}` },
      body: JSON.stringify(init),
    });
    expect(ok.status).toBe(200);
    const session = ok.headers.get('mcp-session-id')!;
    expect(session).toBeTruthy();
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
    const stolen = await post(s.url, '/mcp', list, { ...accept, authorization: `Bearer ${READER}`, 'mcp-session-id': session });
    expect(stolen.status).toBe(403);
  });

  it('without tokens, a Host that is not loopback is 403 (DNS rebinding)', async () => {
    const s = await start(false);
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    // fetch will not send another Host: node:http does, as a rebinding browser would.
    const { port } = new URL(s.url);
    const status = await new Promise<number>((resolve, reject) => {
      const r = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/mcp',
          method: 'POST',
          headers: { host: `evil.example:${port}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      r.on('error', reject);
      r.end(JSON.stringify(init));
    });
    expect(status).toBe(403);
    const client = await connect(s.url, 'default');
    expect((await client.listTools()).tools).toHaveLength(32);
  });
});
