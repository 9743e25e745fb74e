/**
 * A typo is refused, never dropped (issue 31: `kv/set` with `option` for `options` answered 200 and
 * overwrote the key without the compare-and-set asked for). Against a real server, every
 * operation's own example from /openapi.json: with one extra field, and with one of its fields
 * misspelled, the answer is 400 invalid_input naming that field, and the example's keys are
 * untouched. Over MCP (the SDK's client), a tool called with a misspelled argument is a tool error
 * naming it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMemex, type Memex } from '../../src/index.js';
import { OPS, opPath } from '../../src/contract/index.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { post } from '../helpers/http.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

let url = '';
let mx: Memex;
beforeAll(async () => {
  const path = tempDbPath();
  ({ url, memex: mx } = await serverAt(path, () => openMemex({ path, durability: 'normal' })));
});
afterAll(async () => {
  await stopServers();
  cleanupTemp();
});

describe('unknown and misspelled fields are refused at every boundary', () => {
  it("HTTP: every operation's example with an extra field, or a field misspelled, is 400 naming it, and writes nothing", async () => {
    await mx.kv.set('alice', 'kept');
    const before = await mx.events.lastSeq();
    let misspelled = 0;
    for (const op of OPS) {
      const example = op.example.args;
      const withNs = op.scoped ? { ns: 'default', ...example } : example;
      const extra = await post(url, opPath(op.id), { ...withNs, optionz: 1 });
      expect(extra.status, `${op.id} + optionz: ${extra.text}`).toBe(400);
      expect(extra.body, op.id).toMatchObject({ code: 'invalid_input', field: 'optionz' });
      const [first] = Object.keys(example);
      if (first === undefined) continue;
      const { [first]: value, ...rest } = withNs;
      const typo = `${first.slice(0, -1)}`; // 'options' -> 'option', 'keys' -> 'key'
      const bad = await post(url, opPath(op.id), { ...rest, [typo]: value });
      expect(bad.status, `${op.id}: ${first} spelled ${typo}: ${bad.text}`).toBe(400);
      expect(bad.body, op.id).toMatchObject({ code: 'invalid_input', field: typo });
      misspelled++;
    }
    expect(misspelled).toBeGreaterThan(OPS.length / 2);
    // Nothing was written by any of them.
    expect(await mx.events.lastSeq()).toBe(before);
    expect(await mx.kv.get('alice')).toBe('kept');
  });

  it('HTTP: kv/set with `option` for `options` does not overwrite: the compare-and-set is never skipped', async () => {
    const { version } = await mx.kv.set('cas', 1);
    const r = await post(url, '/v1/kv/set', { key: 'cas', value: 2, option: { ifVersion: version + 5 } });
    expect(r.body).toMatchObject({ code: 'invalid_input', field: 'option' });
    expect(await mx.kv.get('cas')).toBe(1);
    // A whole-store operation takes no namespace: one sent is a field it does not know.
    expect((await post(url, '/v1/memex/stats', { ns: 'acme' })).body).toMatchObject({ code: 'invalid_input', field: 'ns' });
  });

  it('MCP: a tool called with a misspelled argument is a tool error naming it', async () => {
    const server = createMcpServer(mx);
    const [a, b] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'strict-test', version: '1' });
    await Promise.all([server.connect(a), client.connect(b)]);
    try {
      // `topk` for the optional `topK`: dropped, the call would answer with the default.
      const r = (await client.callTool({ name: 'recall', arguments: { userId: 'u', threadId: 't', query: 'q', topk: 3 } })) as {
        isError?: boolean;
        content: { text: string }[];
      };
      expect(r.isError).toBe(true);
      expect(r.content[0]!.text).toContain('topk');
    } finally {
      await client.close();
      await server.close();
    }
  });
});
