import { isDeepStrictEqual } from 'node:util';
import type { Embeddings } from '@langchain/core/embeddings';
import {
  BaseStore,
  getTextAtPath,
  validateNamespace,
  type Item,
  type ListNamespacesOperation,
  type MatchCondition,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchItem,
  type SearchOperation,
} from '@langchain/langgraph-checkpoint';
import type { KvStore } from '../../api/kv.js';
import type { MemexScope } from '../../api/memex.js';
import type { VectorsStore } from '../../api/vectors.js';
import type { VectorDoc } from '../../stores/vectors/doc.js';
import { ValidationError } from '../../errors.js';
import { kvEntries } from '../../util/kv-pages.js';
import { digest } from './keys.js';

/**
 * @example
 * ```ts
 * const options: MemexStoreOptions = { index: { fields: ['text'] }, ttl: { defaultTtl: 60 * 24 } };
 * ```
 */
export interface MemexStoreOptions {
  /** Semantic search; without `index`, `search` with a `query` lists items as it does without one. */
  index?: {
    /** The fields embedded (LangGraph's path syntax; `['$']`, the default, is the whole value). A put's own `index` wins. */
    fields?: string[];
    /** A LangChain `Embeddings` model. Without one, the Memex's own `embedder` embeds the text. */
    embeddings?: Embeddings;
    /**
     * The length of the vectors `embeddings` returns, as LangGraph's stores take it (optional
     * here). Given, a vector of another length is refused (`ValidationError` on `index.dims`)
     * before anything is written. Not used with the Memex's own embedder, whose dimension rules.
     */
    dims?: number;
  };
  /** Expiry of every item, in minutes (as LangGraph's stores count it); a put's own `ttl` wins. */
  ttl?: { defaultTtl?: number };
}

interface ItemRecord {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** Candidates a semantic search reads per result asked for: the filter and stale vectors drop some. */
const OVERFETCH = 4;

/**
 * A LangGraph.js `BaseStore` on a Memex namespace: items are kv records (a batch's writes are one
 * transaction, so concurrent processes never see half of it), filters use LangGraph's operators
 * (`$eq $ne $gt $gte $lt $lte $in $nin`), `ttl` is in minutes, and semantic search goes through
 * Memex's `vectors` on the fields named by `index`. Each vector carries the version of the item it
 * was made from and a hit is kept only while that is still the item's version, so a search never
 * returns an item for text it no longer holds, even while other processes are writing.
 *
 * @example
 * ```ts
 * import { openMemex } from 'memex';
 * import { MemexStore } from 'memex/langgraph';
 * const mx = await openMemex({ path: './memex.db' });
 * const store = new MemexStore(mx.scope('lg-store'), { index: { fields: ['text'] } });
 * await store.put(['users', 'u42'], 'likes', { text: 'Prefers Python for data work' });
 * const hits = await store.search(['users', 'u42'], { query: 'programming languages', limit: 3 });
 * ```
 */
export class MemexStore extends BaseStore {
  private readonly kv: KvStore;
  private readonly vectors: VectorsStore;
  private readonly fields: string[] | undefined;
  /** The vector length the collection was seen to take (see `fitting`). */
  private confirmedDims: number | undefined;

  constructor(
    scope: Pick<MemexScope, 'kv' | 'vectors'>,
    private readonly options: MemexStoreOptions = {},
  ) {
    super();
    const dims = options.index?.dims;
    if (dims !== undefined && !(Number.isSafeInteger(dims) && dims > 0)) throw new ValidationError('index.dims', 'must be a positive integer');
    this.kv = scope.kv;
    this.vectors = scope.vectors;
    this.fields = options.index ? (options.index.fields ?? ['$']) : undefined;
  }

  /** Like `BaseStore.put`, with LangGraph's `ttl` option (minutes). */
  override async put(
    namespace: string[],
    key: string,
    value: Record<string, unknown>,
    index?: false | string[],
    options?: { ttl?: number },
  ): Promise<void> {
    validateNamespace(namespace);
    await this.writeAll([{ namespace, key, value, ...(index !== undefined ? { index } : {}) }], options?.ttl);
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    const writes = new Map<string, PutOperation>();
    for (const op of operations) {
      if ('namespace' in op) validateNamespace(op.namespace, { allowReservedRoot: true });
      if ('value' in op) writes.set(itemKey(op.namespace, op.key), op);
    }
    // Reads see the store as it was before this batch's writes, as LangGraph's own stores do.
    for (const op of operations) {
      if ('value' in op) results.push(undefined);
      else if ('namespacePrefix' in op) results.push(await this.search_(op));
      else if ('matchConditions' in op) results.push(await this.listNamespaces_(op));
      else if ('key' in op) results.push(await this.get_(op.namespace, op.key));
      else throw new ValidationError('operations', 'each must be a get, search, put or listNamespaces operation');
    }
    if (writes.size > 0) await this.writeAll([...writes.values()], undefined);
    return results as OperationResults<Op>;
  }

  private async get_(namespace: string[], key: string): Promise<Item | null> {
    const rec = await this.kv.get<ItemRecord>(itemKey(namespace, key));
    return rec ? toItem(rec as ItemRecord) : null;
  }

  private async search_(op: SearchOperation): Promise<SearchItem[]> {
    if (op.namespacePrefix.length > 0) validateNamespace(op.namespacePrefix, { allowReservedRoot: true });
    const limit = op.limit ?? 10;
    const offset = op.offset ?? 0;
    if (op.query && this.fields) return this.semantic(op, op.query, limit, offset);
    const out: SearchItem[] = [];
    let skipped = 0;
    for await (const e of kvEntries<ItemRecord>(this.kv, itemPrefix(op.namespacePrefix))) {
      const rec = e.value as ItemRecord;
      if (op.filter && !matches(rec.value, op.filter)) continue;
      if (skipped++ < offset) continue;
      out.push(toItem(rec));
      if (out.length >= limit) break;
    }
    return out;
  }

  private async semantic(op: SearchOperation, query: string, limit: number, offset: number): Promise<SearchItem[]> {
    const embeddings = this.options.index?.embeddings;
    const topK = Math.min(1000, (offset + limit) * OVERFETCH);
    const filter = op.namespacePrefix.length > 0 ? { prefixes: itemPrefix(op.namespacePrefix) } : { prefixes: { $exists: true } };
    const hits = await this.vectors.search(
      embeddings ? { vector: this.sized([await embeddings.embedQuery(query)])[0]!, topK, filter } : { text: query, topK, filter, mode: 'vector' },
    );
    const best = new Map<string, { score: number; rev: number }>();
    for (const h of hits) {
      const item = h.metadata.item as string;
      if (!best.has(item)) best.set(item, { score: h.score, rev: h.metadata.rev as number });
    }
    const keys = [...best.keys()];
    const entries = await Promise.all(keys.map((k) => this.kv.getEntry<ItemRecord>(k)));
    const out: SearchItem[] = [];
    for (const [i, k] of keys.entries()) {
      const e = entries[i];
      const hit = best.get(k)!;
      // A vector made from an older version of the item (or of a deleted one) is not evidence.
      if (!e || e.version !== hit.rev) continue;
      const rec = e.value as ItemRecord;
      if (op.filter && !matches(rec.value, op.filter)) continue;
      out.push({ ...toItem(rec), score: hit.score });
    }
    return out.slice(offset, offset + limit);
  }

  private async listNamespaces_(op: ListNamespacesOperation): Promise<string[][]> {
    const seen = new Map<string, string[]>();
    for await (const e of kvEntries<ItemRecord>(this.kv, itemPrefix([]))) {
      const ns = (e.value as ItemRecord).namespace;
      if (!(op.matchConditions ?? []).every((c) => nsMatches(c, ns))) continue;
      const cut = op.maxDepth === undefined ? [...ns] : ns.slice(0, op.maxDepth);
      seen.set(JSON.stringify(cut), cut);
    }
    const all = [...seen.values()].sort((a, b) => (a.join(':') < b.join(':') ? -1 : a.join(':') > b.join(':') ? 1 : 0));
    return all.slice(op.offset ?? 0, (op.offset ?? 0) + (op.limit ?? all.length));
  }

  /** Embeds outside the transaction, writes every item in one, then replaces the items' vectors. */
  private async writeAll(ops: PutOperation[], ttlMinutes: number | undefined): Promise<void> {
    const ttl = ttlMinutes ?? this.options.ttl?.defaultTtl;
    if (ttl !== undefined && !(typeof ttl === 'number' && ttl > 0)) throw new ValidationError('ttl', 'must be a positive number of minutes');
    const texts = ops.map((op) => this.textsOf(op));
    const flat = texts.flat();
    const embeddings = this.options.index?.embeddings;
    const vectors = embeddings && flat.length > 0 ? await this.fitting(this.sized(await embeddings.embedDocuments(flat))) : undefined;
    const now = Date.now();
    const versions = await this.kv.transaction((tx) =>
      ops.map((op) => {
        const key = itemKey(op.namespace, op.key);
        const old = tx.getEntry<ItemRecord>(key);
        if (op.value === null) return tx.delete(key) ? (old?.version ?? 0) : 0;
        const rec: ItemRecord = {
          namespace: [...op.namespace],
          key: op.key,
          value: op.value,
          createdAt: old?.value.createdAt ?? now,
          updatedAt: now,
        };
        return tx.set(key, rec, ttl === undefined ? {} : { ttlMs: Math.round(ttl * 60_000) }).version;
      }),
    );
    if (!this.fields) return;
    let next = 0;
    const docs: VectorDoc[] = [];
    const written = ops.map((op, i) => ({ op, key: itemKey(op.namespace, op.key), rev: versions[i] ?? 0, texts: texts[i] ?? [] }));
    for (const { op, key, rev, texts: own } of written) {
      own.forEach((text, j) => {
        const vector = vectors?.[next++];
        const metadata = { item: key, rev, prefixes: prefixesOf(op.namespace) };
        docs.push({ id: `${digest(key, 32)}:${rev}:${j}`, text, metadata, ...(vector ? { vector } : {}) });
      });
    }
    for (let i = 0; i < docs.length; i += 1000) await this.vectors.upsert(docs.slice(i, i + 1000));
    // Older vectors of these items go; a newer writer's are kept (its version is higher).
    for (const { op, key, rev } of written)
      if (rev > 0) await this.vectors.deleteWhere({ item: key, rev: op.value === null ? { $lte: rev } : { $lt: rev } });
  }

  /**
   * `vectors`, checked (before the items are written, so a refusal changes nothing) to be of one
   * length and of the collection's: a search with the first is refused by the vector store exactly
   * when its length is not the collection's. Once a length passed, it is the collection's for good.
   */
  private async fitting(vectors: number[][]): Promise<number[][]> {
    const n = vectors[0]?.length;
    if (n === undefined || n === this.confirmedDims) return vectors;
    const odd = vectors.find((v) => v.length !== n);
    if (odd) throw new ValidationError('index.embeddings', `returned vectors of ${n} and of ${odd.length} dimensions in one batch`);
    try {
      await this.vectors.search({ vector: vectors[0]!, topK: 1 });
    } catch (e) {
      if (e instanceof ValidationError && e.field === 'query.vector')
        throw new ValidationError('index.embeddings', `returned ${n}-dimensional vectors, but ${e.reason}`);
      throw e;
    }
    this.confirmedDims = n;
    return vectors;
  }

  /** `vectors`, checked against `index.dims` when it is given (before anything is written). */
  private sized(vectors: number[][]): number[][] {
    const dims = this.options.index?.dims;
    const wrong = dims === undefined ? undefined : vectors.find((v) => v.length !== dims);
    if (wrong) throw new ValidationError('index.dims', `is ${dims}, but index.embeddings returned a ${wrong.length}-dimensional vector`);
    return vectors;
  }

  private textsOf(op: PutOperation): string[] {
    if (!this.fields || op.value === null || op.index === false) return [];
    const paths = op.index ?? this.fields;
    return paths.flatMap((p) => (p === '$' ? [JSON.stringify(op.value)] : getTextAtPath(op.value, p))).filter((t) => t.length > 0);
  }
}

const itemKey = (namespace: string[], key: string): string => `item:${JSON.stringify([...namespace, key])}`;

/** Keys of every item whose namespace starts with `prefix` (JSON keeps label boundaries: `["a",`). */
const itemPrefix = (prefix: string[]): string => (prefix.length === 0 ? 'item:[' : `item:${JSON.stringify(prefix).slice(0, -1)},`);

/** The item prefixes of a namespace, stored with its vectors so a search filters by namespace in the index. */
const prefixesOf = (namespace: string[]): string[] => namespace.map((_, i) => itemPrefix(namespace.slice(0, i + 1)));

function toItem(rec: ItemRecord): Item {
  return {
    namespace: [...rec.namespace],
    key: rec.key,
    value: structuredClone(rec.value),
    createdAt: new Date(rec.createdAt),
    updatedAt: new Date(rec.updatedAt),
  };
}

function nsMatches(c: MatchCondition, ns: string[]): boolean {
  if (c.path.length > ns.length) return false;
  const start = c.matchType === 'prefix' ? 0 : ns.length - c.path.length;
  return c.path.every((p, i) => p === '*' || ns[start + i] === p);
}

const OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin']);

/** LangGraph's filter semantics (as its in-memory store applies them), with deep equality for objects. */
function matches(value: Record<string, unknown>, filter: Record<string, unknown>): boolean {
  return Object.entries(filter).every(([field, want]) => {
    const have = value[field];
    const ops = want !== null && typeof want === 'object' && !Array.isArray(want) ? Object.keys(want) : [];
    if (ops.length === 0 || !ops.every((o) => OPERATORS.has(o))) return isDeepStrictEqual(have, want);
    const w = want as Record<string, unknown>;
    return ops.every((o) => {
      const x = w[o];
      switch (o) {
        case '$eq':
          return isDeepStrictEqual(have, x);
        case '$ne':
          return !isDeepStrictEqual(have, x);
        case '$gt':
          return Number(have) > Number(x);
        case '$gte':
          return Number(have) >= Number(x);
        case '$lt':
          return Number(have) < Number(x);
        case '$lte':
          return Number(have) <= Number(x);
        case '$in':
          return Array.isArray(x) && x.some((v) => isDeepStrictEqual(have, v));
        default:
          return !Array.isArray(x) || !x.some((v) => isDeepStrictEqual(have, v));
      }
    });
  });
}
