import { DependencyGraph } from './graph.js';
import type { Txn } from './history.js';
import type { VersionOrder } from './version-order.js';

/**
 * The dependency graph of a history (Adya's, as Elle infers it for lists): `ww` from the writer
 * of each value of a final list to the writer of the next; `wr` from the writer of the last value
 * a read saw to the reader; `rw` from a reader to the writer of the first value its read missed.
 * Only a transaction's external reads count (those before it appended to the key itself). With
 * `realtime`, also `rt` edges: one transaction finished before the other began.
 */
export function dependencyGraph(order: VersionOrder, realtime: boolean): DependencyGraph {
  const g = new DependencyGraph();
  const committed = (t: Txn) =>
    t.outcome === 'ok' || (t.outcome === 'info' && t.mops.some((m) => m[0] === 'append' && order.position(m[1], m[2]) !== undefined));
  for (const t of order.history.txns) if (committed(t)) g.add(t);
  writeWrite(order, g);
  for (const t of order.history.txns) if (t.outcome === 'ok') reads(order, g, t);
  if (realtime) realtimeEdges(g);
  return g;
}

function writeWrite(order: VersionOrder, g: DependencyGraph): void {
  for (const [key, list] of order.history.final)
    for (let i = 1; i < list.length; i++) {
      const a = order.writer(key, list[i - 1]!);
      const b = order.writer(key, list[i]!);
      if (a && b) g.link(a.txn, b.txn, 'ww', { key, value: list[i - 1]!, next: list[i]! });
    }
}

function reads(order: VersionOrder, g: DependencyGraph, t: Txn): void {
  const touched = new Set<string>();
  for (const m of t.mops) {
    const key = m[1];
    if (touched.has(key)) continue;
    touched.add(key);
    if (m[0] !== 'r' || m[2] === null) continue;
    const read = m[2];
    const last = read[read.length - 1];
    if (last !== undefined) {
      const w = order.writer(key, last);
      if (w) g.link(w.txn, t, 'wr', { key, value: last, read });
    }
    // What the read missed is known only when it is a prefix of the version order.
    if (!order.isPrefix(key, read)) continue;
    const next = order.list(key)[read.length];
    const w = next === undefined ? undefined : order.writer(key, next);
    if (w) g.link(t, w.txn, 'rw', { key, read, next: next! });
  }
}

/**
 * `rt` edges, transitively reduced (Elle's way): walking invocations and completions in time
 * order, a transaction's predecessors are the completed ones no later completion has covered
 * yet. A transaction that never completed precedes nothing. Equal times are not an order.
 */
function realtimeEdges(g: DependencyGraph): void {
  type Ev = { at: number; node: number; begin: boolean };
  const events: Ev[] = [];
  g.nodes.forEach((t, node) => {
    events.push({ at: t.start, node, begin: true });
    if (t.outcome === 'ok' && t.end !== null) events.push({ at: t.end, node, begin: false });
  });
  events.sort((a, b) => a.at - b.at || Number(b.begin) - Number(a.begin));
  const frontier = new Set<number>();
  const preds = new Map<number, number[]>();
  for (const e of events) {
    if (e.begin) {
      const p = [...frontier];
      preds.set(e.node, p);
      for (const from of p) g.rt[from]!.add(e.node);
    } else {
      for (const p of preds.get(e.node) ?? []) frontier.delete(p);
      frontier.add(e.node);
    }
  }
}
