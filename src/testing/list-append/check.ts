import { isRealtimeOnly, type Anomaly, type AnomalyName } from './anomaly.js';
import { findCycles } from './cycles.js';
import { dependencyGraph } from './dependencies.js';
import { elementAnomalies } from './element-anomalies.js';
import { showAnomaly } from './explain.js';
import type { History } from './history.js';
import { VersionOrder } from './version-order.js';

export interface CheckOptions {
  /** Also look for cycles that need real-time order (strict serializability). @default true */
  readonly realtime?: boolean;
  /** Anomalies reported in full per name; `counts` has them all. @default 8 */
  readonly maxPerName?: number;
}

/** What {@link checkListAppend} found. */
export interface ListAppendReport {
  /** No anomaly but `-realtime` cycles: some serial order explains every read. */
  readonly serializable: boolean;
  /** No anomaly at all: a serial order that also respects real time explains every read. */
  readonly strictSerializable: boolean;
  /** Every anomaly name seen, with how many times. */
  readonly counts: Readonly<Partial<Record<AnomalyName, number>>>;
  /** The anomalies in full (at most `maxPerName` per name). */
  readonly anomalies: readonly Anomaly[];
  readonly stats: {
    readonly txns: number;
    readonly ok: number;
    readonly fail: number;
    readonly info: number;
    readonly reads: number;
    /** Values in all the lists the committed reads returned. */
    readonly readValues: number;
    readonly appends: number;
    readonly keys: number;
    readonly ms: number;
  };
}

/**
 * Judges a list-append history the way Jepsen's Elle does: the final lists give every key's
 * version order; a read that is not a prefix of it, that sees a failed, intermediate or unknown
 * write, or an acknowledged append that is missing, is an anomaly on its own; then the ww / wr /
 * rw (and real-time) dependencies between transactions are searched for cycles, each named
 * (G0, G1c, G-single, G2, and their `-realtime` forms) and shown with its transactions and values.
 *
 * @example
 * ```ts
 * import { checkListAppend, formatReport } from 'memex/testing';
 * const report = checkListAppend(history);
 * if (!report.strictSerializable) throw new Error(formatReport(report));
 * ```
 */
export function checkListAppend(history: History, o: CheckOptions = {}): ListAppendReport {
  const t0 = performance.now();
  const maxPerName = o.maxPerName ?? 8;
  const order = new VersionOrder(history);
  const counts: Partial<Record<AnomalyName, number>> = {};
  const anomalies: Anomaly[] = [];
  for (const a of elementAnomalies(order)) {
    counts[a.name] = (counts[a.name] ?? 0) + 1;
    if (counts[a.name]! <= maxPerName) anomalies.push(a);
  }
  const realtime = o.realtime ?? true;
  const cycles = findCycles(dependencyGraph(order, realtime), realtime, maxPerName);
  for (const [name, n] of cycles.counts) counts[name] = n;
  anomalies.push(...cycles.anomalies);
  const names = Object.keys(counts) as AnomalyName[];
  const ok = history.txns.filter((t) => t.outcome === 'ok');
  const reads = ok.flatMap((t) => t.mops.filter((m) => m[0] === 'r'));
  return {
    serializable: names.every(isRealtimeOnly),
    strictSerializable: names.length === 0,
    counts,
    anomalies,
    stats: {
      txns: history.txns.length,
      ok: ok.length,
      fail: history.txns.filter((t) => t.outcome === 'fail').length,
      info: history.txns.filter((t) => t.outcome === 'info').length,
      reads: reads.length,
      readValues: reads.reduce((n, m) => n + (m[2]?.length ?? 0), 0),
      appends: history.txns.reduce((n, t) => n + t.mops.filter((m) => m[0] === 'append').length, 0),
      keys: history.final.size,
      ms: Math.round(performance.now() - t0),
    },
  };
}

/**
 * A report as text: the figures, then every anomaly with its cycle, transactions and values.
 *
 * @example
 * ```ts
 * expect(report.strictSerializable, formatReport(report)).toBe(true);
 * ```
 */
export function formatReport(r: ListAppendReport): string {
  const s = r.stats;
  const verdict = r.strictSerializable ? 'strict serializable' : r.serializable ? 'serializable, NOT strict serializable' : 'NOT serializable';
  const head = `${verdict}: ${s.txns} transactions (${s.ok} ok, ${s.fail} fail, ${s.info} info), ${s.reads} reads of ${s.readValues} values, ${s.appends} appends over ${s.keys} keys, checked in ${s.ms} ms`;
  const counts = Object.entries(r.counts).map(([k, n]) => `${k} x${n}`);
  return [head, ...(counts.length ? [`anomalies: ${counts.join(', ')}`] : []), ...r.anomalies.map(showAnomaly)].join('\n');
}
