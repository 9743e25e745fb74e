import type { EdgeType } from './anomaly.js';
import type { Txn } from './history.js';

/** What a data edge is about: the key, and the values that make it (see `edgeWhy`). */
export interface Reason {
  readonly key: string;
  /** ww: the earlier append; wr: the last value read. */
  readonly value?: number;
  /** wr and rw: the list read. */
  readonly read?: readonly number[];
  /** ww and rw: the append that came next. */
  readonly next?: number;
}

/** Every data edge from one transaction to another: the types present, each with one reason. */
export type DataEdge = Partial<Record<Exclude<EdgeType, 'rt'>, Reason>>;

/**
 * The dependency graph over the transactions that committed (or may have: an `info` one whose
 * append is in a final list). Data edges carry their reason; real-time edges are kept apart, as
 * plain successor lists (there are many, and their reason is the two transactions' times).
 */
export class DependencyGraph {
  readonly nodes: Txn[] = [];
  private readonly index = new Map<Txn, number>();
  readonly data: Map<number, DataEdge>[] = [];
  readonly rt: Set<number>[] = [];

  /** Adds `txn` as a node (once); returns its number. */
  add(txn: Txn): number {
    let i = this.index.get(txn);
    if (i === undefined) {
      i = this.nodes.length;
      this.index.set(txn, i);
      this.nodes.push(txn);
      this.data.push(new Map());
      this.rt.push(new Set());
    }
    return i;
  }

  /** Records `type` from `from` to `to` (self edges are not dependencies and are dropped). */
  link(from: Txn, to: Txn, type: Exclude<EdgeType, 'rt'>, reason: Reason): void {
    const a = this.index.get(from);
    const b = this.index.get(to);
    if (a === undefined || b === undefined || a === b) return;
    const edges = this.data[a]!;
    const e = edges.get(b) ?? {};
    if (!e[type]) e[type] = reason;
    edges.set(b, e);
  }

  /**
   * Successors of `node` over the allowed edge types, each with the mildest type that links them
   * (ww, then wr, then rt, then rw): a cycle is then named for the least it needs.
   */
  *successors(node: number, allowed: ReadonlySet<EdgeType>): Generator<[to: number, type: EdgeType]> {
    const data = this.data[node]!;
    const rt = allowed.has('rt') ? this.rt[node]! : undefined;
    for (const [to, e] of data) {
      const type =
        e.ww && allowed.has('ww') ? 'ww' : e.wr && allowed.has('wr') ? 'wr' : rt?.has(to) ? 'rt' : e.rw && allowed.has('rw') ? 'rw' : undefined;
      if (type) yield [to, type];
    }
    for (const to of rt ?? []) if (!data.has(to)) yield [to, 'rt'];
  }
}
