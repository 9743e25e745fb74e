/** usearch graph configurations as the sweeps name them: quantization:connectivity:expansionAdd:expansionSearch. */
import { Index, MetricKind, ScalarKind } from 'usearch';

const QUANT: Record<string, ScalarKind> = { i8: ScalarKind.I8, f16: ScalarKind.F16, f32: ScalarKind.F32 };

export interface GraphConfig {
  readonly name: string;
  readonly quantization: ScalarKind;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
}

/** Parses `i8:32:128:80`; `fail` reports a malformed one (and does not return). */
export function parseGraphConfig(s: string, fail: (message: string) => never): GraphConfig {
  const [q = '', ...rest] = s.split(':');
  const quantization = QUANT[q];
  const nums = rest.map(Number);
  if (!quantization || nums.length !== 3 || !nums.every((x) => Number.isInteger(x) && x > 0)) {
    fail(`bad usearch config ${s}: expected quantization (${Object.keys(QUANT).join(', ')}):connectivity:expansionAdd:expansionSearch`);
  }
  const [connectivity, expansionAdd, expansionSearch] = nums as [number, number, number];
  return { name: s, quantization, connectivity, expansionAdd, expansionSearch };
}

/** A cosine graph over `data` (row after row, `dim` wide), keys 0..rows-1, inserted on all cores. */
export function buildGraph(c: GraphConfig, dim: number, data: Float32Array): Index {
  const index = new Index({
    dimensions: dim,
    metric: MetricKind.Cos,
    quantization: c.quantization,
    connectivity: c.connectivity,
    expansion_add: c.expansionAdd,
    expansion_search: c.expansionSearch,
    multi: false,
  });
  index.add(sequentialKeys(data.length / dim), data, 0);
  return index;
}

/** Keys 0..n-1, as usearch takes them. */
export function sequentialKeys(n: number): BigUint64Array {
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  return keys;
}
