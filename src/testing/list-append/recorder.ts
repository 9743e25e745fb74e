import type { History, Mop, Outcome, Txn } from './history.js';
import { monotonicNow } from './history.js';

/**
 * One line of a recorded history: a transaction invoked, or how it ended. Plain JSON, so that a
 * worker process can write each as a line and its parent rebuild the history — including the
 * transactions a killed worker never finished (`info`).
 */
export type HistoryEvent =
  | { readonly e: 'invoke'; readonly id: string; readonly process: string; readonly via: string; readonly mops: readonly Mop[]; readonly at: number }
  | { readonly e: 'ok'; readonly id: string; readonly mops: readonly Mop[]; readonly at: number }
  | { readonly e: 'fail' | 'info'; readonly id: string; readonly at: number; readonly error?: string };

/**
 * Records transactions as {@link HistoryEvent}s into `sink` (an array's push, or a function
 * writing lines), timestamped on the host's monotonic clock. Ids are unique per `prefix`.
 *
 * @example
 * ```ts
 * const events: HistoryEvent[] = [];
 * const rec = new HistoryRecorder('p0', (e) => events.push(e));
 * const id = rec.invoke('p0/c0', 'transaction', [['append', 'k1', 1]]);
 * rec.ok(id, [['append', 'k1', 1]]);
 * ```
 */
export class HistoryRecorder {
  private n = 0;
  constructor(
    private readonly prefix: string,
    private readonly sink: (e: HistoryEvent) => void,
  ) {}

  invoke(process: string, via: string, mops: readonly Mop[]): string {
    const id = `${this.prefix}:${this.n++}`;
    this.sink({ e: 'invoke', id, process, via, mops, at: monotonicNow() });
    return id;
  }
  ok(id: string, mops: readonly Mop[]): void {
    this.sink({ e: 'ok', id, mops, at: monotonicNow() });
  }
  end(id: string, outcome: Exclude<Outcome, 'ok'>, error?: unknown): void {
    this.sink({
      e: outcome,
      id,
      at: monotonicNow(),
      ...(error === undefined ? {} : { error: error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error) }),
    });
  }
}

/**
 * The history of recorded events: an invocation without an ending is `info` (it may have
 * committed). Reads of transactions that did not end `ok` carry no values.
 *
 * @example
 * ```ts
 * const history = historyFromEvents(events, await finalLists(mx.kv, keysOf(events)));
 * const report = checkListAppend(history);
 * ```
 */
export function historyFromEvents(events: Iterable<HistoryEvent>, final: ReadonlyMap<string, readonly number[]>): History {
  const begun = new Map<string, Extract<HistoryEvent, { e: 'invoke' }>>();
  const ended = new Map<string, Exclude<HistoryEvent, { e: 'invoke' }>>();
  for (const e of events) {
    if (e.e === 'invoke') begun.set(e.id, e);
    else ended.set(e.id, e);
  }
  const txns: Txn[] = [];
  for (const b of begun.values()) {
    const end = ended.get(b.id);
    const outcome: Outcome = end?.e ?? 'info';
    const blank = b.mops.map((m): Mop => (m[0] === 'r' ? ['r', m[1], null] : m));
    txns.push({
      id: txns.length,
      process: b.process,
      via: b.via,
      outcome,
      mops: end?.e === 'ok' ? end.mops : blank,
      start: b.at,
      end: end && outcome === 'ok' ? end.at : null,
    });
  }
  return { txns, final };
}

/**
 * Every key a history's transactions touched: what the final read must cover.
 *
 * @example
 * ```ts
 * const final = await finalLists(mx.kv, keysOf(events));
 * ```
 */
export function keysOf(events: Iterable<HistoryEvent>): string[] {
  const keys = new Set<string>();
  for (const e of events) if (e.e === 'invoke') for (const m of e.mops) keys.add(m[1]);
  return [...keys].sort();
}
