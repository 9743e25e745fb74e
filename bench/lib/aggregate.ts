import { Histogram, type LatencySummary } from './histogram.js';
import type { PhaseSpec } from './phase.js';
import type { ChildReport } from './protocol.js';

/** What {@link aggregate} needs of one phase: its spec, its children's reports, its wall time. */
export interface PhaseLike<S> {
  readonly spec: S;
  readonly reports: readonly ChildReport[];
  readonly wallMs: number;
  readonly counter?: { readonly expected: number; readonly actual: number; readonly ok: boolean };
}

/** One variant of a scenario, over all its rounds. */
export interface VariantResult<S = PhaseSpec> {
  readonly id: string;
  readonly label: string;
  readonly spec: S;
  readonly rounds: number;
  /** Acknowledged operations, all processes and rounds. */
  readonly ops: number;
  /** ops / summed wall time of the rounds. */
  readonly opsPerSec: number;
  /** Acknowledged operations of each process in each round (min, max), to expose starvation. */
  readonly perProcessOps: { readonly min: number; readonly max: number };
  readonly latency: LatencySummary;
  readonly errors: Record<string, number>;
  /** update: stored counter vs acknowledged total, per round. */
  readonly counters: { readonly expected: number; readonly actual: number; readonly ok: boolean }[];
  /** memex only: group commit and lock counters. */
  readonly memex?: {
    readonly writes: number;
    readonly commits: number;
    readonly writesPerCommit: number;
    readonly lockWaits: number;
    readonly busyRetries: number;
    readonly timeouts: number;
  };
}

export function aggregate<S = PhaseSpec>(id: string, label: string, phases: readonly PhaseLike<S>[]): VariantResult<S> {
  const first = phases[0];
  if (!first) throw new Error(`no phases for ${id}`);
  const reports = phases.flatMap((p) => p.reports);
  const hist = new Histogram();
  const errors: Record<string, number> = {};
  for (const r of reports) {
    hist.merge(r.latency);
    for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  }
  const ops = reports.reduce((n, r) => n + r.ops, 0);
  const wallMs = phases.reduce((t, p) => t + p.wallMs, 0);
  const perProc = reports.map((r) => r.ops);
  const mx = reports.map((r) => r.memex).filter((m) => m !== undefined);
  const memex =
    mx.length === 0
      ? undefined
      : (() => {
          const writes = mx.reduce((n, m) => n + m.writes, 0);
          const commits = mx.reduce((n, m) => n + m.commits, 0);
          return {
            writes,
            commits,
            writesPerCommit: commits === 0 ? 0 : writes / commits,
            lockWaits: mx.reduce((n, m) => n + m.lock.waits, 0),
            busyRetries: mx.reduce((n, m) => n + m.lock.busyRetries, 0),
            timeouts: mx.reduce((n, m) => n + m.lock.timeouts, 0),
          };
        })();
  return {
    id,
    label,
    spec: first.spec,
    rounds: phases.length,
    ops,
    opsPerSec: wallMs === 0 ? 0 : ops / (wallMs / 1000),
    perProcessOps: { min: Math.min(...perProc), max: Math.max(...perProc) },
    latency: hist.summary(),
    errors,
    counters: phases.flatMap((p) => (p.counter ? [p.counter] : [])),
    ...(memex ? { memex } : {}),
  };
}
