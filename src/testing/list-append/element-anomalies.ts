import type { Anomaly } from './anomaly.js';
import { showList } from './explain.js';
import type { Txn } from './history.js';
import type { VersionOrder } from './version-order.js';

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The anomalies a single read or transaction shows without any cycle: reads of failed or
 * intermediate writes (G1a, G1b), values nobody wrote, duplicates, reads that are not a prefix of
 * the final list, reads that disagree with the transaction's own writes, and acknowledged appends
 * missing from the final lists.
 */
export function elementAnomalies(order: VersionOrder): Anomaly[] {
  const out: Anomaly[] = [];
  for (const d of order.duplicateAppends)
    out.push({ name: 'duplicate-append', explanation: `${d.value} was appended to ${d.key} more than once`, txns: d.txns });
  for (const [key, list] of order.history.final) checkList(order, key, list, undefined, out);
  for (const txn of order.history.txns) {
    if (txn.outcome !== 'ok') continue;
    const known = new Map<string, { read: readonly number[] | null; own: number[] }>();
    for (const m of txn.mops) {
      const key = m[1];
      const state = known.get(key) ?? { read: null, own: [] };
      known.set(key, state);
      if (m[0] === 'append') {
        state.own.push(m[2]);
        if (order.position(key, m[2]) === undefined)
          out.push({ name: 'lost-append', explanation: `the acknowledged append of ${m[2]} to ${key} is not in its final list`, txns: [txn] });
        continue;
      }
      const list = m[2];
      if (list === null) continue;
      checkList(order, key, list, txn, out);
      if (!order.isPrefix(key, list))
        out.push({
          name: 'incompatible-order',
          explanation: `T${txn.id} read ${key} = ${showList(list)}, not a prefix of its final list ${showList(order.list(key))}`,
          txns: [txn],
        });
      internal(txn, key, list, state, out);
      if (state.read === null && state.own.length === 0) intermediate(order, txn, key, list, out);
      state.read = list;
      state.own = [];
    }
  }
  return out;
}

/** Values nobody appended, values of failed transactions, and duplicates, in one list. */
function checkList(order: VersionOrder, key: string, list: readonly number[], reader: Txn | undefined, out: Anomaly[]): void {
  const who = reader ? `T${reader.id} read` : 'the final list of';
  const seen = new Set<number>();
  for (const v of list) {
    if (seen.has(v))
      out.push({ name: 'duplicate-elements', explanation: `${who} ${key} holds ${v} twice: ${showList(list)}`, txns: reader ? [reader] : [] });
    seen.add(v);
    const w = order.writer(key, v);
    if (!w) out.push({ name: 'garbage-read', explanation: `${who} ${key} holds ${v}, which nobody appended`, txns: reader ? [reader] : [] });
    else if (w.txn.outcome === 'fail')
      out.push({
        name: 'G1a',
        explanation: `${who} ${key} holds ${v}, appended by T${w.txn.id}, which failed`,
        txns: [w.txn, ...(reader ? [reader] : [])],
      });
  }
}

/** A read after the transaction's own read or appends of the key must show exactly those. */
function internal(txn: Txn, key: string, list: readonly number[], state: { read: readonly number[] | null; own: number[] }, out: Anomaly[]): void {
  const ok = state.read !== null ? same(list, [...state.read, ...state.own]) : same(list.slice(list.length - state.own.length), state.own);
  if (!ok)
    out.push({
      name: 'internal',
      explanation: `T${txn.id} read ${key} = ${showList(list)} after ${state.read ? `reading ${showList(state.read)} and ` : ''}appending [${state.own.join(' ')}]`,
      txns: [txn],
    });
}

/** A read whose last value another transaction appended to the key again afterwards saw its intermediate state. */
function intermediate(order: VersionOrder, txn: Txn, key: string, list: readonly number[], out: Anomaly[]): void {
  const lastValue = list[list.length - 1];
  if (lastValue === undefined) return;
  const w = order.writer(key, lastValue);
  if (w && w.txn !== txn && !w.last)
    out.push({
      name: 'G1b',
      explanation: `T${txn.id} read ${key} = ${showList(list)}, ending with ${lastValue}, which T${w.txn.id} followed with another append to ${key}`,
      txns: [w.txn, txn],
    });
}
