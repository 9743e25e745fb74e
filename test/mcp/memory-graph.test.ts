// The reference memory server's tools over Memex: the same names and shapes, bounded reads, two
// `memex mcp` processes on one file (two clients each starting their own server) lose none of
// their writes — the reference server loses about half (modelcontextprotocol/servers#4797) — and
// `memex import --from mcp-memory` brings a reference memory.jsonl in, read back through open_nodes.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const run = promisify(execFile);
const CLI = here(import.meta.url, '../../dist/cli/main.js');
const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  cleanupTemp();
});

async function mcp(path: string): Promise<Client> {
  const client = new Client({ name: 'graph-test', version: '1' });
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--path', path, '--ns', 'kg'], stderr: 'pipe' }));
  clients.push(client);
  return client;
}
const sc = (r: unknown) => (r as { structuredContent: Record<string, unknown> }).structuredContent;

describe('the reference memory server’s tools', () => {
  it('two servers on one file: 2 x 20 concurrent add_observations, none lost; reads are bounded', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const [a, b] = [await mcp(path), await mcp(path)];
    await a.callTool({
      name: 'create_entities',
      arguments: {
        entities: [
          { name: 'Ada', entityType: 'person', observations: ['likes Python'] },
          { name: 'London', entityType: 'city', observations: [] },
        ],
      },
    });
    await b.callTool({ name: 'create_relations', arguments: { relations: [{ from: 'Ada', to: 'London', relationType: 'lives in' }] } });
    await Promise.all(
      [a, b].flatMap((c, p) =>
        Array.from({ length: 20 }, (_, i) =>
          c.callTool({ name: 'add_observations', arguments: { observations: [{ entityName: 'Ada', contents: [`fact ${p}-${i}`] }] } }),
        ),
      ),
    );
    const opened = sc(await a.callTool({ name: 'open_nodes', arguments: { names: ['Ada', 'London'] } })) as {
      entities: { name: string; observations: string[] }[];
      relations: unknown[];
    };
    expect(opened.entities.find((e) => e.name === 'Ada')!.observations).toHaveLength(41);
    expect(opened.relations).toEqual([{ from: 'Ada', to: 'London', relationType: 'lives in' }]);
    expect(
      (sc(await b.callTool({ name: 'search_nodes', arguments: { query: 'PYTHON' } })) as { entities: { name: string }[] }).entities.map(
        (e) => e.name,
      ),
    ).toEqual(['Ada']);
    const page = sc(await b.callTool({ name: 'read_graph', arguments: { limit: 1 } })) as { entities: { name: string }[]; cursor?: string };
    expect(page.entities.map((e) => e.name)).toEqual(['Ada']);
    const next = sc(await b.callTool({ name: 'read_graph', arguments: { limit: 1, cursor: page.cursor } })) as { entities: { name: string }[] };
    expect(next.entities.map((e) => e.name)).toEqual(['London']);
    await a.callTool({ name: 'delete_entities', arguments: { entityNames: ['London'] } });
    expect((sc(await b.callTool({ name: 'open_nodes', arguments: { names: ['Ada'] } })) as { relations: unknown[] }).relations).toEqual([]);
  });

  it('memex import --from mcp-memory brings a reference memory.jsonl in; importing twice changes nothing', async () => {
    const file = `${tempDir()}/memory.jsonl`;
    writeFileSync(
      file,
      [
        { type: 'entity', name: 'John_Smith', entityType: 'person', observations: ['Speaks fluent Spanish', 'Graduated in 2019'] },
        { type: 'entity', name: 'Anthropic', entityType: 'organization', observations: [] },
        { type: 'relation', from: 'John_Smith', to: 'Anthropic', relationType: 'works_at' },
      ]
        .map((o) => JSON.stringify(o))
        .join('\n'),
    );
    const path = tempDbPath();
    const first = await run(process.execPath, [CLI, 'import', '--from', 'mcp-memory', file, '--path', path, '--ns', 'kg', '--json']);
    expect(JSON.parse(first.stdout)).toEqual({ entities: 2, relations: 1 });
    const again = await run(process.execPath, [CLI, 'import', '--from', 'mcp-memory', file, '--path', path, '--ns', 'kg', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ entities: 0, relations: 0 });
    const c = await mcp(path);
    const g = sc(await c.callTool({ name: 'open_nodes', arguments: { names: ['John_Smith', 'Anthropic'] } }));
    expect(g).toEqual({
      entities: [
        { name: 'John_Smith', entityType: 'person', observations: ['Speaks fluent Spanish', 'Graduated in 2019'] },
        { name: 'Anthropic', entityType: 'organization', observations: [] },
      ],
      relations: [{ from: 'John_Smith', to: 'Anthropic', relationType: 'works_at' }],
    });
    const bad = await run(process.execPath, [CLI, 'import', '--from', 'csv', file, '--path', path]).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 1 });
    expect((bad as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});
