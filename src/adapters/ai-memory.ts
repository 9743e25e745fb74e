import { tool, type Tool } from 'ai';
import type { Memex } from '../api/memex.js';
import { MEMORY_TOOLS } from '../mcp/memory-tools.js';

export interface MemexMemoryToolsOptions {
  /** The store (embedded, PostgreSQL or remote: any `Memex`). */
  readonly memex: Memex;
  /** The namespace whose facts and blocks the tools read and write. @default 'default' */
  readonly ns?: string;
  /** Only the tools that read (search, history, list, block_get, block_list). @default false */
  readonly readOnly?: boolean;
}

/**
 * Curated memory and memory blocks as Vercel AI SDK (v6) tools, for a model that manages its own
 * memory: `memory_add`, `memory_search`, `memory_update`, `memory_invalidate`, `memory_history`,
 * `block_get`, `block_append`, `block_replace`… — the same tools, schemas and descriptions as the
 * MCP server's (declared once, in mcp/memory-tools.ts). A bad argument fails the tool call with the
 * `ValidationError` naming the field; nothing is written.
 *
 * @example
 * ```ts
 * import { generateText, stepCountIs } from 'ai';
 * import { memexMemoryTools } from 'memex/ai';
 * const tools = memexMemoryTools({ memex: mx, ns: 'acme/users/42' });
 * await generateText({ model, tools, stopWhen: stepCountIs(4), prompt: 'I moved to Berlin.' });
 * ```
 */
export function memexMemoryTools(o: MemexMemoryToolsOptions): Record<string, Tool> {
  const scope = o.ns && o.ns !== 'default' ? o.memex.scope(o.ns) : o.memex;
  const out: Record<string, Tool> = {};
  for (const t of MEMORY_TOOLS) {
    if (o.readOnly && !t.annotations.readOnlyHint) continue;
    out[t.name] = tool({
      description: t.description,
      inputSchema: t.input.strict(),
      outputSchema: t.output,
      execute: (input: Record<string, unknown>) => t.run(scope, input, o.memex),
    });
  }
  return out;
}
