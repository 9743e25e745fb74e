import type { Anomaly } from './anomaly.js';
import type { Mop, Txn } from './history.js';

/** A list as reports show it: short lists whole, long ones by their last values and length. */
export function showList(list: readonly number[] | null): string {
  if (list === null) return '?';
  if (list.length <= 6) return `[${list.join(' ')}]`;
  return `[… ${list.slice(-4).join(' ')}] (${list.length} values)`;
}

export function showMop(m: Mop): string {
  return m[0] === 'append' ? `append ${m[1]} ${m[2]}` : `r ${m[1]} ${showList(m[2])}`;
}

/**
 * A transaction in one line.
 *
 * @example
 * ```ts
 * showTxn(txn); // 'T12 (p1/c2, transaction, ok: [append k0 5] [r k3 [1 2]])'
 * ```
 */
export function showTxn(t: Txn): string {
  const via = t.via ? `, ${t.via}` : '';
  return `T${t.id} (${t.process}${via}, ${t.outcome}: ${t.mops.map((m) => `[${showMop(m)}]`).join(' ')})`;
}

/**
 * An anomaly as several lines: its name and explanation, then for a cycle every step —
 * `T1 -ww-> T2: why` — and the transactions in full.
 *
 * @example
 * ```ts
 * for (const a of report.anomalies) console.log(showAnomaly(a));
 * ```
 */
export function showAnomaly(a: Anomaly): string {
  const lines = [`${a.name}: ${a.explanation}`];
  if (a.cycle) for (const s of a.cycle) lines.push(`  T${s.from.id} -${s.type}-> T${s.to.id}: ${s.why}`);
  for (const t of a.txns) lines.push(`    ${showTxn(t)}`);
  return lines.join('\n');
}
