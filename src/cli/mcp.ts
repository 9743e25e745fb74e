import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { loadConfig } from './config-file.js';
import { openFromFlags, type StoreFlags } from './open-store.js';
import { createMcpServer } from '../mcp/server.js';

export interface McpOptions extends StoreFlags {
  ns?: string;
  /** A JSON file of store policies (`--config`), as `memex serve` takes. */
  config?: string;
}

/**
 * `memex mcp`: the MCP server over stdio. stdout carries the protocol only; anything to say goes
 * to stderr. Ends (closing the store) when the client closes stdin.
 */
export async function runMcp(o: McpOptions): Promise<void> {
  const memex = await openFromFlags(o, o.config === undefined ? {} : loadConfig(o.config).options);
  const server = createMcpServer(memex, o.ns ? { ns: o.ns } : {});
  const transport = new StdioServerTransport();
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => undefined);
    await memex.close();
  };
  transport.onclose = () => void close();
  process.stdin.on('end', () => void close());
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void close().then(() => process.exit(0)));
  await server.connect(transport);
  process.stderr.write(
    `memex mcp: serving ${o.url ? o.url.replace(/\/\/[^@]*@/, '//…@') : (o.path ?? './memex.db')} (namespace ${o.ns ?? 'default'}) on stdio\n`,
  );
}
