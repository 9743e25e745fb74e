/**
 * The strongly connected components of more than one node of a graph of nodes `0 … n - 1`
 * (Tarjan's algorithm, iterative: a history of 100k transactions must not overflow the stack).
 * Every cycle of the graph lies inside one of them.
 *
 * @example
 * ```ts
 * const next = [[1], [0], []];
 * cyclicComponents(3, (v) => next[v]!); // [[1, 0]]
 * ```
 */
export function cyclicComponents(n: number, successors: (node: number) => Iterable<number>): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    // Each frame: a node and the successors still to visit.
    const frames: { v: number; next: Iterator<number> }[] = [];
    const open = (v: number) => {
      index[v] = low[v] = counter++;
      stack.push(v);
      onStack[v] = 1;
      frames.push({ v, next: successors(v)[Symbol.iterator]() });
    };
    open(root);
    while (frames.length > 0) {
      const f = frames[frames.length - 1]!;
      const step = f.next.next();
      if (!step.done) {
        const w = step.value;
        if (index[w] === -1) open(w);
        else if (onStack[w]) low[f.v] = Math.min(low[f.v]!, index[w]!);
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent.v] = Math.min(low[parent.v]!, low[f.v]!);
      if (low[f.v] === index[f.v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== f.v);
        if (component.length > 1) out.push(component);
      }
    }
  }
  return out;
}
