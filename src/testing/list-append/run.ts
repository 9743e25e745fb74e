import type { KvStore } from '../../api/kv.js';
import { ValidationError } from '../../errors.js';
import type { Memex } from '../../api/memex.js';
import { runCallers } from './callers.js';
import { checkListAppend, type CheckOptions, type ListAppendReport } from './check.js';
import { kvClients, type ListAppendClient } from './clients.js';
import type { History } from './history.js';
import { HistoryRecorder, historyFromEvents, keysOf, type HistoryEvent } from './recorder.js';
import { WORKLOAD_DEFAULTS, type WorkloadOptions } from './workload.js';

export interface RunOptions extends WorkloadOptions, CheckOptions {
  /** Opens one more handle on the store under test (a connection, a client, a node). */
  readonly open: () => Promise<Memex>;
  /** Handles opened, each with its own callers, as processes would. @default 4 */
  readonly instances?: number;
  /** @default 4 */
  readonly callers?: number;
  /** @default 100 */
  readonly txnsPerCaller?: number;
  /** @default a random one (the report's `seed`) */
  readonly seed?: number;
  /** The namespace the keys live in. @default 'list-append' */
  readonly ns?: string;
  /** The clients each handle runs. @default kvClients of the namespace */
  readonly clients?: (mx: Memex) => readonly ListAppendClient[];
  /**
   * Handle 0 "dies" once it has finished this share of its transactions: its callers stop and
   * what they had in flight is recorded as unknown (`info`), as if the process were killed.
   */
  readonly killAt?: number;
  /** Reads the final lists once every caller has stopped. @default `getMany` of the namespace's kv */
  readonly finalLists?: (mx: Memex, keys: readonly string[]) => Promise<ReadonlyMap<string, readonly number[]>>;
}

/**
 * A list-append run against any `Memex` factory, in this process: `instances` handles, each with
 * `callers` concurrent callers, one optionally "killed" midway; then a final read of every key
 * through a fresh handle, and the check. For runs across real processes, use {@link runCallers}
 * in each process and {@link historyFromEvents} to gather them.
 *
 * @example
 * ```ts
 * import { openMemex } from 'memex';
 * import { runListAppend, formatReport } from 'memex/testing';
 * const { report } = await runListAppend({ open: () => openMemex({ path: './test.db' }), killAt: 0.5 });
 * if (!report.strictSerializable) throw new Error(formatReport(report));
 * ```
 */
export async function runListAppend(o: RunOptions): Promise<{ seed: number; history: History; report: ListAppendReport }> {
  if (typeof o.open !== 'function') throw new ValidationError('open', 'must be a function that opens a Memex');
  const seed = count(o.seed ?? Math.floor(Math.random() * 2 ** 31), 'seed', 0);
  const ns = o.ns ?? 'list-append';
  const instances = count(o.instances ?? 4, 'instances', 1);
  const callers = count(o.callers ?? 4, 'callers', 1);
  const txnsPerCaller = count(o.txnsPerCaller ?? 100, 'txnsPerCaller', 1);
  // Checked here, before anything is opened; the planners take the same defaults.
  count(o.keys ?? WORKLOAD_DEFAULTS.keys, 'keys', 1);
  count(o.maxMops ?? WORKLOAD_DEFAULTS.maxMops, 'maxMops', 1);
  if (o.killAt !== undefined && !(typeof o.killAt === 'number' && o.killAt >= 0 && o.killAt <= 1))
    throw new ValidationError('killAt', 'must be a share of the transactions, from 0 to 1');
  const handles = await Promise.all(Array.from({ length: instances }, () => o.open()));
  const events: HistoryEvent[] = [];
  let finishedBy0 = 0;
  const killAfter = o.killAt === undefined ? Infinity : Math.floor(o.killAt * callers * txnsPerCaller);
  try {
    await Promise.all(
      handles.map((mx, p) => {
        const recorder = new HistoryRecorder(`p${p}`, (e) => {
          events.push(e);
          if (p === 0 && e.e !== 'invoke') finishedBy0++;
        });
        const clients = o.clients?.(mx) ?? kvClients(mx.scope(ns).kv);
        return runCallers({
          ...o,
          process: p,
          callers,
          txnsPerCaller,
          seed,
          clients,
          recorder,
          ...(p === 0 ? { stopped: () => finishedBy0 >= killAfter } : {}),
        });
      }),
    );
  } finally {
    await Promise.all(handles.map((mx) => mx.close()));
  }
  const reader = await o.open();
  try {
    const keys = keysOf(events);
    const history = historyFromEvents(events, await (o.finalLists ? o.finalLists(reader, keys) : finalLists(reader.scope(ns).kv, keys)));
    return { seed, history, report: checkListAppend(history, o) };
  } finally {
    await reader.close();
  }
}

/** `v`, if it is an integer of at least `min`; else a ValidationError naming `field`. */
function count(v: unknown, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new ValidationError(field, `must be an integer of at least ${min}`);
  return v;
}

/**
 * The list of every key, read once all writers have stopped (in snapshot reads of 500 keys).
 *
 * @example
 * ```ts
 * const final = await finalLists(mx.scope('list-append').kv, keysOf(events));
 * ```
 */
export async function finalLists(kv: KvStore, keys: readonly string[]): Promise<Map<string, readonly number[]>> {
  const final = new Map<string, readonly number[]>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const values = await kv.getMany<readonly number[]>(chunk);
    chunk.forEach((k, j) => final.set(k, [...(values[j] ?? [])]));
  }
  return final;
}
