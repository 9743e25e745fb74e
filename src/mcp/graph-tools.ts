import { z } from 'zod';
import { KnowledgeGraph } from './graph.js';
import type { McpTool } from './tools.js';

const entity = z.object({ name: z.string().min(1), entityType: z.string(), observations: z.array(z.string()) });
const relation = z.object({ from: z.string().min(1), to: z.string().min(1), relationType: z.string().min(1) });
const graph = z.object({ entities: z.array(entity), relations: z.array(relation), cursor: z.string().optional() });
const done = z.object({ ok: z.literal(true) });
const limit = z.number().int().min(1).max(100).optional().describe('At most this many entities (default 100).');

const t = (
  name: string,
  description: string,
  input: z.ZodObject,
  output: z.ZodObject,
  readOnly: boolean,
  destructive: boolean,
  run: (g: KnowledgeGraph, a: Record<string, unknown>) => Promise<Record<string, unknown>>,
): McpTool => ({
  name,
  description,
  input,
  output,
  annotations: { readOnlyHint: readOnly, destructiveHint: destructive, idempotentHint: readOnly },
  run: (scope, a) => run(new KnowledgeGraph(scope.kv), a),
});

/**
 * The reference MCP memory server's tools, with its names and argument shapes, over Memex: a
 * drop-in replacement whose writes are transactions (two clients each starting their own server
 * on one store lose nothing) and whose reads are bounded (`read_graph` pages with a cursor).
 */
export const GRAPH_TOOLS: readonly McpTool[] = [
  t(
    'create_entities',
    'Create entities in the knowledge graph (existing names are left as they are).',
    z.object({ entities: z.array(entity) }),
    z.object({ created: z.array(entity) }),
    false,
    false,
    async (g, a) => ({
      created: await g.createEntities(a.entities as never),
    }),
  ),
  t(
    'create_relations',
    'Create relations between entities (in active voice: from, relationType, to).',
    z.object({ relations: z.array(relation) }),
    z.object({ created: z.array(relation) }),
    false,
    false,
    async (g, a) => ({
      created: await g.createRelations(a.relations as never),
    }),
  ),
  t(
    'add_observations',
    'Add observations to existing entities.',
    z.object({ observations: z.array(z.object({ entityName: z.string().min(1), contents: z.array(z.string()) })) }),
    z.object({ results: z.array(z.object({ entityName: z.string(), addedObservations: z.array(z.string()) })) }),
    false,
    false,
    async (g, a) => ({ results: await g.addObservations(a.observations as never) }),
  ),
  t(
    'delete_entities',
    'Delete entities and the relations that touch them.',
    z.object({ entityNames: z.array(z.string()) }),
    done,
    false,
    true,
    async (g, a) => {
      await g.deleteEntities(a.entityNames as string[]);
      return { ok: true };
    },
  ),
  t(
    'delete_observations',
    'Delete observations from entities.',
    z.object({ deletions: z.array(z.object({ entityName: z.string(), observations: z.array(z.string()) })) }),
    done,
    false,
    true,
    async (g, a) => {
      await g.deleteObservations(a.deletions as never);
      return { ok: true };
    },
  ),
  t('delete_relations', 'Delete relations.', z.object({ relations: z.array(relation) }), done, false, true, async (g, a) => {
    await g.deleteRelations(a.relations as never);
    return { ok: true };
  }),
  t(
    'read_graph',
    'A page of the knowledge graph (entities in name order, the relations among them); `cursor` goes on.',
    z.object({ limit, cursor: z.string().optional() }),
    graph,
    true,
    false,
    (g, a) => g.readGraph(a.limit as number | undefined, a.cursor as string | undefined),
  ),
  t(
    'search_nodes',
    'Entities whose name, type or observations contain the query (case-insensitive).',
    z.object({ query: z.string(), limit }),
    graph,
    true,
    false,
    (g, a) => g.searchNodes(a.query as string, a.limit as number | undefined),
  ),
  t('open_nodes', 'Entities by name, with the relations among them.', z.object({ names: z.array(z.string()).max(100) }), graph, true, false, (g, a) =>
    g.openNodes(a.names as string[]),
  ),
];
