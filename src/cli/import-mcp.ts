import { readFileSync } from 'node:fs';
import { openFromFlags, type StoreFlags } from './open-store.js';
import { KnowledgeGraph, parseMemoryJsonl } from '../mcp/graph.js';

/**
 * `memex import --from mcp-memory memory.jsonl`: the reference MCP memory server's knowledge graph
 * into a namespace, where `memex mcp`'s tools of the same names (`open_nodes`, `search_nodes`, …)
 * serve it. Entities and relations that exist already are kept; running it twice changes nothing.
 */
export async function importMcpMemory(file: string, o: StoreFlags & { ns?: string }): Promise<{ entities: number; relations: number }> {
  const { entities, relations } = parseMemoryJsonl(file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8'));
  const mx = await openFromFlags(o);
  try {
    const g = new KnowledgeGraph((o.ns && o.ns !== 'default' ? mx.scope(o.ns) : mx).kv);
    let e = 0;
    let r = 0;
    // Batches of 500: each is one transaction, all or nothing.
    for (let i = 0; i < entities.length; i += 500) e += (await g.createEntities(entities.slice(i, i + 500))).length;
    for (let i = 0; i < relations.length; i += 500) r += (await g.createRelations(relations.slice(i, i + 500))).length;
    return { entities: e, relations: r };
  } finally {
    await mx.close();
  }
}
