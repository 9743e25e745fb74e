/**
 * The side of a benchmark child process that every bench shares: the ready/go handshake with the
 * parent (bench/lib/phase.ts), timed call loops that count acknowledged calls, errors by code and
 * a latency histogram, and the engine-counter delta of a Memex instance.
 */
import { createInterface } from 'node:readline';
import type { MemexStats } from '../../src/index.js';
import { Histogram } from './histogram.js';
import type { ChildReport } from './protocol.js';

/** Prints `ready` and resolves when the parent writes `go` on stdin. */
export function ready(): Promise<void> {
  process.stdout.write('ready\n');
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (line.trim() === 'go') {
        rl.close();
        resolve();
      }
    });
  });
}

/** Prints the child's one JSON report line (what the parent waits for before the exit). */
export function report(r: object): void {
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/** Counts acknowledged calls, failed calls by error code, and every call's latency. */
export class Workload {
  readonly hist = new Histogram();
  readonly errors: Record<string, number> = {};
  ops = 0;

  /** `name` prefixes the first error of each code on stderr. */
  constructor(private readonly name: string) {}

  fail(e: unknown): void {
    const c = (e as { code?: unknown } | null)?.code;
    const code = typeof c === 'string' ? c : e instanceof Error ? e.name : 'error';
    if (this.errors[code] === undefined) process.stderr.write(`[bench child ${this.name}] first ${code}: ${(e as Error).message}\n`);
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  /** `callers` async loops, each awaiting one call at a time until the deadline; resolves the elapsed ms. */
  async runAsync(callers: number, durationMs: number, call: (i: number) => Promise<unknown>): Promise<number> {
    const start = performance.now();
    const end = start + durationMs;
    let n = 0;
    const loop = async () => {
      while (performance.now() < end) {
        const i = n++;
        const t0 = performance.now();
        try {
          await call(i);
          this.ops++;
        } catch (e) {
          this.fail(e);
        }
        this.hist.record(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: callers }, loop));
    return performance.now() - start;
  }

  /** One synchronous caller until the deadline; returns the elapsed ms. */
  runSync(durationMs: number, call: (i: number) => void): number {
    const start = performance.now();
    const end = start + durationMs;
    for (let i = 0; performance.now() < end; i++) {
      const t0 = performance.now();
      try {
        call(i);
        this.ops++;
      } catch (e) {
        this.fail(e);
      }
      this.hist.record(performance.now() - t0);
    }
    return performance.now() - start;
  }

  /** The report fields every child sends. */
  result(index: number, elapsedMs: number): Pick<ChildReport, 'index' | 'pid' | 'ops' | 'errors' | 'latency' | 'elapsedMs'> {
    return { index, pid: process.pid, ops: this.ops, errors: this.errors, latency: this.hist.toJSON(), elapsedMs };
  }
}

export type MemexCounters = NonNullable<ChildReport['memex']>;

/** This process's engine counters between two `stats()` snapshots (group commit, lock waits). */
export function engineDelta(before: MemexStats, after: MemexStats): MemexCounters {
  const d = (f: (s: MemexStats) => number) => f(after) - f(before);
  return {
    writes: d((s) => s.writes),
    commits: d((s) => s.commits),
    lock: {
      acquisitions: d((s) => s.lock.acquisitions),
      waits: d((s) => s.lock.waits),
      totalWaitMs: d((s) => s.lock.totalWaitMs),
      timeouts: d((s) => s.lock.timeouts),
      busyRetries: d((s) => s.lock.busyRetries),
    },
  };
}
