import type { KvStore, KvTransaction } from '../api/kv.js';
import { ValidationError } from '../errors.js';
import { kvEntries } from '../util/kv-pages.js';

/**
 * The knowledge graph of the reference MCP memory server (entities with observations, and
 * relations between them), kept in kv: one record per entity (`graph:e:<name>`) and one per
 * relation (`graph:r:<from>\u0001<relationType>\u0001<to>`). Every tool call is one transaction,
 * so two servers on one store lose nothing (the reference server rewrites a whole JSONL file).
 */
export interface Entity {
  name: string;
  entityType: string;
  observations: string[];
}
export interface Relation {
  from: string;
  to: string;
  relationType: string;
}

const E = 'graph:e:';
const R = 'graph:r:';
const SEP = '\u0001';
const entityKey = (name: string) => `${E}${name}`;
const relationKey = (r: Relation) => `${R}${r.from}${SEP}${r.relationType}${SEP}${r.to}`;
const MAX_PAGE = 100;

function checkName(n: unknown, field: string): string {
  if (typeof n !== 'string' || n.length === 0 || n.includes(SEP)) throw new ValidationError(field, 'must be a non-empty string without U+0001');
  return n;
}

export class KnowledgeGraph {
  constructor(private readonly kv: KvStore) {}

  /** Creates the entities that do not exist yet; returns those created. */
  createEntities(entities: Entity[]): Promise<Entity[]> {
    entities.forEach((e, i) => checkName(e.name, `entities[${i}].name`));
    return this.kv.transaction((tx) =>
      entities.filter((e) => {
        if (tx.has(entityKey(e.name))) return false;
        tx.set(entityKey(e.name), { name: e.name, entityType: e.entityType, observations: [...new Set(e.observations)] });
        return true;
      }),
    );
  }

  /** Creates the relations that do not exist yet (both ends must exist); returns those created. */
  createRelations(relations: Relation[]): Promise<Relation[]> {
    relations.forEach((r, i) => {
      for (const f of ['from', 'to', 'relationType'] as const) checkName(r[f], `relations[${i}].${f}`);
    });
    return this.kv.transaction((tx) =>
      relations.filter((r) => {
        if (tx.has(relationKey(r))) return false;
        tx.set(relationKey(r), { from: r.from, to: r.to, relationType: r.relationType });
        return true;
      }),
    );
  }

  /** Adds observations to existing entities; returns what was new for each. */
  addObservations(adds: { entityName: string; contents: string[] }[]): Promise<{ entityName: string; addedObservations: string[] }[]> {
    return this.kv.transaction((tx) =>
      adds.map((a, i) => {
        const e = tx.get<Entity>(entityKey(checkName(a.entityName, `observations[${i}].entityName`)));
        if (!e) throw new ValidationError(`observations[${i}].entityName`, `no entity named "${a.entityName}"`);
        const added = a.contents.filter((c) => !e.observations.includes(c));
        tx.set(entityKey(a.entityName), { ...e, observations: [...e.observations, ...new Set(added)] });
        return { entityName: a.entityName, addedObservations: [...new Set(added)] };
      }),
    );
  }

  /** Deletes entities and every relation touching them. */
  async deleteEntities(names: string[]): Promise<void> {
    const touching = await this.relationsTouching(new Set(names));
    await this.kv.transaction((tx) => {
      for (const n of names) tx.delete(entityKey(n));
      for (const r of touching) tx.delete(relationKey(r));
    });
  }

  deleteObservations(deletions: { entityName: string; observations: string[] }[]): Promise<void> {
    return this.kv.transaction((tx) => {
      for (const d of deletions) {
        const e = tx.get<Entity>(entityKey(d.entityName));
        if (e) tx.set(entityKey(d.entityName), { ...e, observations: e.observations.filter((o) => !d.observations.includes(o)) });
      }
    });
  }

  deleteRelations(relations: Relation[]): Promise<void> {
    return this.kv.transaction((tx: KvTransaction) => relations.forEach((r) => tx.delete(relationKey(r))));
  }

  /** A page of the graph: entities in name order, with the relations among that page's entities. */
  async readGraph(limit = MAX_PAGE, cursor?: string): Promise<{ entities: Entity[]; relations: Relation[]; cursor?: string }> {
    const page = await this.kv.list<Entity>({ prefix: E, limit: Math.min(limit, MAX_PAGE), ...(cursor ? { cursor } : {}) });
    const entities = page.items.map((i) => i.value as Entity);
    return { entities, relations: await this.relationsAmong(new Set(entities.map((e) => e.name))), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  /** Entities whose name, type or an observation contains `query` (case-insensitive), at most `limit`. */
  async searchNodes(query: string, limit = MAX_PAGE): Promise<{ entities: Entity[]; relations: Relation[] }> {
    const q = query.toLowerCase();
    const found: Entity[] = [];
    for await (const e of this.entities()) {
      if ([e.name, e.entityType, ...e.observations].some((s) => s.toLowerCase().includes(q))) found.push(e);
      if (found.length >= Math.min(limit, MAX_PAGE)) break;
    }
    return { entities: found, relations: await this.relationsAmong(new Set(found.map((e) => e.name))) };
  }

  async openNodes(names: string[]): Promise<{ entities: Entity[]; relations: Relation[] }> {
    const values = (await this.kv.getMany<Entity>(names.slice(0, MAX_PAGE).map(entityKey))) as (Entity | undefined)[];
    const entities = values.filter((v): v is Entity => v !== undefined);
    return { entities, relations: await this.relationsAmong(new Set(entities.map((e) => e.name))) };
  }

  private async *entities(): AsyncGenerator<Entity> {
    for await (const e of kvEntries<Entity>(this.kv, E, 500)) yield e.value as Entity;
  }

  private async allRelations(): Promise<Relation[]> {
    const out: Relation[] = [];
    for await (const e of kvEntries<Relation>(this.kv, R, 500)) out.push(e.value);
    return out;
  }

  private async relationsAmong(names: Set<string>): Promise<Relation[]> {
    return (await this.allRelations()).filter((r) => names.has(r.from) && names.has(r.to));
  }

  private async relationsTouching(names: Set<string>): Promise<Relation[]> {
    return (await this.allRelations()).filter((r) => names.has(r.from) || names.has(r.to));
  }
}

/** Reads the reference server's `memory.jsonl` (one `{ type: 'entity' | 'relation', … }` per line). */
export function parseMemoryJsonl(text: string): { entities: Entity[]; relations: Relation[] } {
  const entities: Entity[] = [];
  const relations: Relation[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new ValidationError(`line ${i + 1}`, 'is not JSON');
    }
    if (o.type === 'entity')
      entities.push({ name: String(o.name), entityType: String(o.entityType), observations: (o.observations as string[] | undefined) ?? [] });
    else if (o.type === 'relation') relations.push({ from: String(o.from), to: String(o.to), relationType: String(o.relationType) });
    else throw new ValidationError(`line ${i + 1}`, 'is neither an entity nor a relation');
  });
  return { entities, relations };
}
