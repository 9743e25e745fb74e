/**
 * Generated vector datasets for bench/vectors.ts: deterministic (a seeded PRNG), so every child
 * process regenerates exactly the same documents and queries instead of receiving them.
 *
 * A vector is `centre[c] + spread * B_c z / sqrt(latent) + noise * g / sqrt(dim)`, normalized to
 * unit length, where `c` is a random cluster, `centre[c]` a random unit vector, `B_c` the
 * cluster's random dim x latent basis (N(0, 1) entries, so the term has norm ~spread), `z` ~
 * N(0, I_latent) and `g` ~ N(0, I_dim). Real embeddings are like this: clustered by topic, with a
 * low intrinsic dimension plus noise. Queries are fresh draws of the same process (not documents).
 */
import { rng } from '../../src/util/rng.js';

/** A dataset's shape; the numbers are printed with the results. */
export interface DatasetSpec {
  readonly name: string;
  readonly description: string;
  readonly clusters: number;
  /** Intrinsic dimension of each cluster's spread. */
  readonly latent: number;
  /** Norm of the in-cluster (latent) spread, relative to the unit centres. */
  readonly spread: number;
  /** Norm of the isotropic noise over all `dim` dimensions. */
  readonly noise: number;
  readonly seed: number;
}

export const DATASETS: readonly DatasetSpec[] = [
  {
    name: 'clustered',
    description: '100 clusters, 16-dim latent spread 0.6, isotropic noise 0.15',
    clusters: 100,
    latent: 16,
    spread: 0.6,
    noise: 0.15,
    seed: 1,
  },
  {
    name: 'harder',
    description: '10 overlapping clusters, 64-dim latent spread 1.2, isotropic noise 0.3',
    clusters: 10,
    latent: 64,
    spread: 1.2,
    noise: 0.3,
    seed: 2,
  },
];

export function datasetByName(name: string): DatasetSpec {
  const d = DATASETS.find((x) => x.name === name);
  if (!d) throw new Error(`unknown dataset ${name} (known: ${DATASETS.map((x) => x.name).join(', ')})`);
  return d;
}

/** The metadata of document i: `bucket` takes 10 values, so `{ bucket: 3 }` selects 10%. */
export const BUCKETS = 10;
export const FILTER_BUCKET = 3;
export const bucketOf = (i: number): number => i % BUCKETS;
export const docId = (i: number): string => `d${i}`;
export const docIndex = (id: string): number => Number(id.slice(1));

/** mulberry32, shared with the demo and the tests. */
export const prng = rng;

/** Standard normal draws (Box-Muller) from a uniform PRNG. */
export function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** `n` vectors of `dim` floats, row-major; row i is `data.subarray(i * dim, (i + 1) * dim)`. */
export interface VectorSet {
  readonly n: number;
  readonly dim: number;
  readonly data: Float32Array;
}

export const row = (s: VectorSet, i: number): Float32Array => s.data.subarray(i * s.dim, (i + 1) * s.dim);

/** The documents and queries of a dataset (queries come from an independent stream of the same process). */
export function generate(spec: DatasetSpec, n: number, nQueries: number, dim: number): { docs: VectorSet; queries: VectorSet } {
  const g = gaussian(prng(spec.seed * 1_000_003 + 17));
  const centres = new Float32Array(spec.clusters * dim);
  for (let c = 0; c < spec.clusters; c++) {
    const v = centres.subarray(c * dim, (c + 1) * dim);
    for (let j = 0; j < dim; j++) v[j] = g();
    normalize(v);
  }
  const bases = new Float32Array(spec.clusters * dim * spec.latent);
  for (let i = 0; i < bases.length; i++) bases[i] = g();
  const draw = (count: number, seed: number): VectorSet => {
    const rand = prng(seed);
    const gg = gaussian(rand);
    const data = new Float32Array(count * dim);
    const z = new Float64Array(spec.latent);
    const zScale = spec.spread / Math.sqrt(spec.latent);
    const noiseScale = spec.noise / Math.sqrt(dim);
    for (let i = 0; i < count; i++) {
      const c = Math.floor(rand() * spec.clusters);
      for (let k = 0; k < spec.latent; k++) z[k] = gg() * zScale;
      const v = data.subarray(i * dim, (i + 1) * dim);
      const centre = c * dim;
      const basis = c * dim * spec.latent;
      for (let j = 0; j < dim; j++) {
        let x = centres[centre + j]! + gg() * noiseScale;
        const b = basis + j * spec.latent;
        for (let k = 0; k < spec.latent; k++) x += bases[b + k]! * z[k]!;
        v[j] = x;
      }
      normalize(v);
    }
    return { n: count, dim, data };
  };
  return { docs: draw(n, spec.seed * 7919 + 1), queries: draw(nQueries, spec.seed * 7919 + 2) };
}

function normalize(v: Float32Array): void {
  let s = 0;
  for (let j = 0; j < v.length; j++) s += v[j]! * v[j]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let j = 0; j < v.length; j++) v[j]! *= inv;
}

/** Dot product (the cosine of two unit vectors). */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

/**
 * The plain JS exact scan: the `k` documents with the highest dot product with `q` (all documents
 * are unit vectors, so this is the cosine ranking), best first, optionally only documents `keep`
 * accepts. Returns [index, score] pairs.
 */
export function bruteTopK(docs: VectorSet, q: Float32Array, k: number, keep?: (i: number) => boolean): [number, number][] {
  const { n, dim, data } = docs;
  const idx = new Int32Array(k).fill(-1);
  const score = new Float64Array(k).fill(-Infinity);
  let worst = -Infinity;
  for (let i = 0; i < n; i++) {
    if (keep && !keep(i)) continue;
    const off = i * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[off + j]! * q[j]!;
    if (s <= worst) continue;
    // Insert into the sorted top-k (descending), dropping the last.
    let p = k - 1;
    while (p > 0 && score[p - 1]! < s) {
      score[p] = score[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    score[p] = s;
    idx[p] = i;
    worst = score[k - 1]!;
  }
  const out: [number, number][] = [];
  for (let p = 0; p < k; p++) if (idx[p]! >= 0) out.push([idx[p]!, score[p]!]);
  return out;
}

/** recall@k of `found` against `exact` (both index lists), averaged over queries. */
export function recallAt(k: number, found: readonly (readonly number[])[], exact: readonly (readonly number[])[]): number {
  let sum = 0;
  const m = Math.min(found.length, exact.length);
  for (let q = 0; q < m; q++) {
    const truth = new Set(exact[q]!.slice(0, k));
    let hit = 0;
    for (const i of found[q]!.slice(0, k)) if (truth.has(i)) hit++;
    sum += truth.size === 0 ? 1 : hit / truth.size;
  }
  return m === 0 ? NaN : sum / m;
}
