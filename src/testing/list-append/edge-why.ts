import type { EdgeType } from './anomaly.js';
import { showList } from './explain.js';
import type { DependencyGraph } from './graph.js';

/** Why `from` precedes `to` by an edge of `type`, in words with the keys and values. */
export function edgeWhy(g: DependencyGraph, from: number, to: number, type: EdgeType): string {
  const a = g.nodes[from]!;
  const b = g.nodes[to]!;
  if (type === 'rt') return `T${a.id} finished (at ${a.end} µs) before T${b.id} began (at ${b.start} µs)`;
  const r = g.data[from]!.get(to)![type]!;
  switch (type) {
    case 'ww':
      return `T${a.id} appended ${r.value} to ${r.key}; T${b.id} appended ${r.next} right after it`;
    case 'wr':
      return `T${b.id} read ${r.key} = ${showList(r.read!)}, which ends with T${a.id}'s append of ${r.value}`;
    case 'rw':
      return `T${a.id} read ${r.key} = ${showList(r.read!)}, without ${r.next}, which T${b.id} appended next`;
  }
}
