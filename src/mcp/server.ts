import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Memex } from '../api/memex.js';
import { VERSION } from '../version.js';
import { MCP_TOOLS, toolError } from './tools.js';
import { GRAPH_TOOLS } from './graph-tools.js';
import { MEMORY_TOOLS } from './memory-tools.js';

/**
 * An MCP server over a Memex store: the tools of {@link MCP_TOOLS} in namespace `ns`, and the
 * resources `memex://stats` (the store's statistics) and `memex://events` (the namespace's
 * newest 100 events among the store's last 10,000 changes). Connect it to a transport (stdio for `memex mcp`).
 *
 * @example
 * ```ts
 * import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
 * const server = createMcpServer(await openMemex({ path: './memex.db' }), { ns: 'agents' });
 * await server.connect(new StdioServerTransport());
 * ```
 */
export function createMcpServer(memex: Memex, o: { ns?: string; readOnly?: boolean } = {}): McpServer {
  const ns = o.ns ?? 'default';
  const scope = ns === 'default' ? memex : memex.scope(ns);
  const server = new McpServer({ name: 'memex', version: VERSION });
  for (const t of [...MCP_TOOLS, ...MEMORY_TOOLS, ...GRAPH_TOOLS]) {
    if (o.readOnly && !t.annotations.readOnlyHint) continue; // a read token's session
    server.registerTool(
      t.name,
      { description: t.description, inputSchema: t.input.strict(), outputSchema: t.output, annotations: t.annotations },
      async (args: Record<string, unknown>) => {
        try {
          const out = await t.run(scope, args, memex);
          return { structuredContent: out, content: [{ type: 'text' as const, text: JSON.stringify(out) }] };
        } catch (e) {
          return toolError(e);
        }
      },
    );
  }
  server.registerResource(
    'stats',
    'memex://stats',
    { description: 'The store’s statistics (stats()).', mimeType: 'application/json' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(await memex.stats()) }],
    }),
  );
  server.registerResource(
    'events',
    'memex://events',
    { description: `The 100 newest events of namespace "${ns}".`, mimeType: 'application/json' },
    async (uri) => {
      // Seqs are shared by every namespace: look back through the store's newest changes (at most
      // 10,000, so a window never holds more events than one page) for this namespace's newest 100.
      const last = await scope.events.lastSeq();
      let events: unknown[] = [];
      for (let w = 1000; w <= 10_000; w *= 2) {
        events = await scope.events.since(Math.max(0, last - Math.min(w, 10_000)), { limit: 10_000 });
        if (events.length >= 100 || last - w <= 0) break;
      }
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(events.slice(-100)) }] };
    },
  );
  return server;
}
