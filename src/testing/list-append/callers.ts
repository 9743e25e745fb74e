import { ConflictError, LockTimeoutError, ValidationError } from '../../errors.js';
import type { ListAppendClient } from './clients.js';
import type { Outcome } from './history.js';
import type { HistoryRecorder } from './recorder.js';
import { Planner, type WorkloadOptions } from './workload.js';

/**
 * What a failed call means for the history: errors that promise nothing was written
 * (a conflict, a lock timeout, bad input) make the transaction `fail`; any other (a lost
 * connection, a timeout, a crash) leaves it `info` — it may have committed.
 *
 * @example
 * ```ts
 * outcomeOf(new ConflictError('k', 1, 2)); // 'fail'
 * outcomeOf(new StorageError('cannot reach', 'ECONNRESET')); // 'info'
 * ```
 */
export function outcomeOf(e: unknown): Exclude<Outcome, 'ok'> {
  return e instanceof ConflictError || e instanceof LockTimeoutError || e instanceof ValidationError ? 'fail' : 'info';
}

export interface CallersOptions extends WorkloadOptions {
  /** This process's number: names its callers (`p<n>/c<i>`) and their value ranges. */
  readonly process: number;
  /** Concurrent async callers. */
  readonly callers: number;
  /** Transactions each caller runs, one after the other. */
  readonly txnsPerCaller: number;
  readonly seed: number;
  /** Chosen at random per transaction. */
  readonly clients: readonly ListAppendClient[];
  readonly recorder: HistoryRecorder;
  /** Once true, callers stop and record nothing more (their process "died"). */
  readonly stopped?: () => boolean;
}

/**
 * Runs `callers` concurrent callers of one process, each `txnsPerCaller` list-append transactions
 * planned from the seed and run by a client picked at random, every one recorded. Values are
 * unique across processes as long as every process has its own `process` number (below 100).
 *
 * @example
 * ```ts
 * const events: HistoryEvent[] = [];
 * await runCallers({ process: 0, callers: 4, txnsPerCaller: 100, seed: 42, clients: kvClients(mx.kv), recorder: new HistoryRecorder('p0', (e) => events.push(e)) });
 * ```
 */
export async function runCallers(o: CallersOptions): Promise<void> {
  await Promise.all(
    Array.from({ length: o.callers }, async (_, c) => {
      const planner = new Planner(o.seed, o.process * 100 + c, o);
      for (let i = 0; i < o.txnsPerCaller && !o.stopped?.(); i++) {
        const client = o.clients[Math.floor(planner.pick() * o.clients.length)]!;
        const mops = planner.next(client.shape);
        const id = o.recorder.invoke(`p${o.process}/c${c}`, client.name, mops);
        let done: () => void;
        try {
          const result = await client.run(mops);
          done = () => o.recorder.ok(id, result);
        } catch (e) {
          done = () => o.recorder.end(id, outcomeOf(e), e);
        }
        if (o.stopped?.()) return;
        done();
      }
    }),
  );
}
