import type { Worker } from 'node:worker_threads';
import { siblingWorker } from '../../util/script-path.js';

/** What the graph worker (graph-worker.ts) is given. */
export interface GraphJob {
  readonly dimension: number;
  readonly ids: readonly string[];
  /** The vectors of `ids`, row after row (its buffer is transferred to the worker). */
  readonly data: Float32Array;
  /** Where the worker writes the graph. */
  readonly file: string;
}

/** A built graph's file as the worker wrote it: each id's node label, the node count, its CRC-32. */
export interface BuiltGraph {
  readonly labels: number[];
  readonly nodes: number;
  readonly crc: number;
}

export type GraphResult = { readonly ok: true; readonly graph: BuiltGraph } | { readonly ok: false; readonly error: string };

/** A graph build running on a worker thread; `done` resolves with the graph's description. */
export interface GraphBuild {
  readonly done: Promise<BuiltGraph>;
  /** Stops the worker (the build is no longer wanted). */
  cancel(): void;
}

/** Starts building a graph over `job` on a worker thread. */
export function buildGraphInWorker(job: GraphJob): GraphBuild {
  let worker: Worker | undefined;
  const done = new Promise<BuiltGraph>((resolve, reject) => {
    worker = siblingWorker(import.meta.url, 'graph-worker', { workerData: job, transferList: [job.data.buffer as ArrayBuffer] });
    // A derived cache: never the reason a process stays alive.
    worker.unref();
    worker.once('message', (r: GraphResult) => (r.ok ? resolve(r.graph) : reject(new Error(r.error))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`graph worker exited with code ${code}`)));
  });
  // A cancelled or failed build is handled by its owner through `done`; never an unhandled rejection.
  done.catch(() => undefined);
  return { done, cancel: () => void worker?.terminate() };
}
