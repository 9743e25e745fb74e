/**
 * A mergeable latency histogram with logarithmic buckets (~2.2% wide: 32 per doubling), so child
 * processes can send compact histograms and the parent can merge them into exact-enough
 * percentiles. The maximum, minimum, count and sum are kept exactly.
 */
const PER_DOUBLING = 32;
/** Values below 0.1 µs share bucket 0. */
const FLOOR_MS = 0.0001;

export interface HistogramJSON {
  /** [bucket, count] pairs, buckets ascending. */
  readonly buckets: [number, number][];
  readonly count: number;
  readonly sumMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export class Histogram {
  private readonly counts = new Map<number, number>();
  count = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;

  record(ms: number): void {
    const b = ms <= FLOOR_MS ? 0 : Math.ceil(Math.log2(ms / FLOOR_MS) * PER_DOUBLING);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.count++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  merge(other: Histogram | HistogramJSON): this {
    if (other.count === 0) return this;
    const pairs = other instanceof Histogram ? [...other.counts] : other.buckets;
    for (const [b, n] of pairs) this.counts.set(b, (this.counts.get(b) ?? 0) + n);
    this.count += other.count;
    this.sumMs += other.sumMs;
    this.minMs = Math.min(this.minMs, other.minMs);
    this.maxMs = Math.max(this.maxMs, other.maxMs);
    return this;
  }

  /** The upper bound of the bucket holding the q-quantile (never above the exact max). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b) ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, FLOOR_MS * 2 ** (b / PER_DOUBLING));
    }
    return this.maxMs;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      meanMs: this.count === 0 ? 0 : this.sumMs / this.count,
      p50Ms: this.quantile(0.5),
      p99Ms: this.quantile(0.99),
      maxMs: this.maxMs,
    };
  }

  toJSON(): HistogramJSON {
    const buckets = [...this.counts].sort((x, y) => x[0] - y[0]);
    return { buckets, count: this.count, sumMs: this.sumMs, minMs: this.count === 0 ? 0 : this.minMs, maxMs: this.maxMs };
  }

  static from(json: HistogramJSON): Histogram {
    return new Histogram().merge(json);
  }
}
