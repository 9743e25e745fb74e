import { rng } from '../util/rng.js';

/** Clustered test vectors: `clusters` random centres in [-1, 1]^dim, point i scattered around centre i % clusters. */
export function clusteredVectors(n: number, seed: number, dim: number, clusters: number, spread: number): Float32Array[] {
  const r = rng(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dim }, () => r() * 2 - 1));
  return Array.from({ length: n }, (_, i) => Float32Array.from(centres[i % clusters]!, (c) => c + (r() - 0.5) * spread));
}

/**
 * The tests' exact cosine (float64 sums over the float32 components; 0 for a zero vector), written
 * out plainly: an oracle must not share code with the store it checks.
 */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 || nb === 0) return 0;
  return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
}

/** Ids of the `k` documents most similar to `q` (ties by id), among those `keep` accepts. */
export const exactTop = (docs: Map<string, Float32Array>, q: Float32Array, k: number, keep: (id: string) => boolean = () => true): string[] =>
  [...docs]
    .filter(([id]) => keep(id))
    .map(([id, v]) => [id, cosine(q, v)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([id]) => id);

/**
 * A vector of `dim` components uniform in [-1, 1], the same for the same `seed` in every process
 * (so a checker can recompute what a writer it SIGKILLed wrote without trusting the store).
 */
export function seededVector(seed: number, dim: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: dim }, () => r() * 2 - 1);
}
