import { classifyCycle, type Anomaly, type CycleAnomalyName, type CycleStep, type EdgeType } from './anomaly.js';
import { edgeWhy } from './edge-why.js';
import type { DependencyGraph } from './graph.js';
import { cyclicComponents } from './scc.js';

/** One search: cycles that go through an edge of `through` and come back over `path` edges. */
interface Search {
  readonly name: CycleAnomalyName;
  readonly through: EdgeType;
  readonly path: ReadonlySet<EdgeType>;
}
const set = (...t: EdgeType[]): ReadonlySet<EdgeType> => new Set(t);

/** Mildest first, as Elle reports them; the real-time ones only when real time is checked. */
const SEARCHES: readonly Search[] = [
  { name: 'G0', through: 'ww', path: set('ww') },
  { name: 'G1c', through: 'wr', path: set('ww', 'wr') },
  { name: 'G-single', through: 'rw', path: set('ww', 'wr') },
  { name: 'G2', through: 'rw', path: set('ww', 'wr', 'rw') },
];
const REALTIME_SEARCHES: readonly Search[] = [
  { name: 'G0-realtime', through: 'rt', path: set('ww', 'rt') },
  { name: 'G1c-realtime', through: 'rt', path: set('ww', 'wr', 'rt') },
  { name: 'G-single-realtime', through: 'rw', path: set('ww', 'wr', 'rt') },
  { name: 'G2-realtime', through: 'rt', path: set('ww', 'wr', 'rw', 'rt') },
];

/** Tries per search and component before giving up on finding that kind of cycle there. */
const ATTEMPTS = 64;

/**
 * The dependency cycles of a graph, named: each strongly connected component is searched for
 * each kind of cycle (G0, G1c, G-single, G2, then with `realtime` their `-realtime` forms), and
 * one shortest cycle of each kind found is reported with its steps. `maxPerName` bounds the
 * reported cycles of a kind; `counts` has how many components showed each kind.
 */
export function findCycles(
  g: DependencyGraph,
  realtime: boolean,
  maxPerName: number,
): { anomalies: Anomaly[]; counts: Map<CycleAnomalyName, number> } {
  const anomalies: Anomaly[] = [];
  const counts = new Map<CycleAnomalyName, number>();
  const all = set('ww', 'wr', 'rw', ...(realtime ? (['rt'] as const) : []));
  const successors = function* (v: number) {
    for (const [w] of g.successors(v, all)) yield w;
  };
  for (const component of cyclicComponents(g.nodes.length, successors)) {
    const within = new Set(component);
    for (const s of realtime ? [...SEARCHES, ...REALTIME_SEARCHES] : SEARCHES) {
      const cycle = search(g, s, within);
      if (!cycle) continue;
      counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
      if ((counts.get(s.name) ?? 0) > maxPerName) continue;
      anomalies.push({
        name: s.name,
        explanation: `a cycle of ${cycle.length} transactions: ${cycle.map((c) => `T${c.from.id} -${c.type}->`).join(' ')} T${cycle[0]!.from.id}`,
        txns: cycle.map((c) => c.from),
        cycle,
      });
    }
  }
  return { anomalies, counts };
}

/** A cycle of exactly the kind `s` names inside the component, or `undefined`. */
function search(g: DependencyGraph, s: Search, within: ReadonlySet<number>): CycleStep[] | undefined {
  let attempts = 0;
  for (const a of within)
    for (const b of throughEdges(g, a, s)) {
      if (!within.has(b)) continue;
      if (attempts++ >= ATTEMPTS) return undefined;
      const back = shortestPath(g, b, a, s.path, within);
      if (!back) continue;
      const edges: [number, number, EdgeType][] = [[a, b, s.through], ...back];
      if (classifyCycle(edges.map((e) => e[2])) !== s.name) continue;
      return edges.map(([from, to, type]) => ({ from: g.nodes[from]!, to: g.nodes[to]!, type, why: edgeWhy(g, from, to, type) }));
    }
  return undefined;
}

/**
 * Successors of `a` by an edge of the search's type that is also the mildest edge between the
 * two the search may use: a cycle that a milder edge closes is found by the milder search.
 */
function throughEdges(g: DependencyGraph, a: number, s: Search): number[] {
  const usable = new Set([...s.path, s.through]);
  return [...g.successors(a, usable)].filter(([, type]) => type === s.through).map(([b]) => b);
}

/** Breadth first from `from` to `to` over the allowed edges inside `within`: the edges of a shortest path. */
function shortestPath(
  g: DependencyGraph,
  from: number,
  to: number,
  allowed: ReadonlySet<EdgeType>,
  within: ReadonlySet<number>,
): [number, number, EdgeType][] | undefined {
  const parent = new Map<number, [number, EdgeType]>();
  const queue = [from];
  const seen = new Set([from]);
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    if (v === to) {
      const path: [number, number, EdgeType][] = [];
      for (let w = to; w !== from;) {
        const [p, type] = parent.get(w)!;
        path.unshift([p, w, type]);
        w = p;
      }
      return path;
    }
    for (const [w, type] of g.successors(v, allowed)) {
      if (seen.has(w) || !within.has(w)) continue;
      seen.add(w);
      parent.set(w, [v, type]);
      queue.push(w);
    }
  }
  return undefined;
}
