/**
 * Builds a graph on a worker thread, so the event loop that serves everything else (lease
 * renewals included) is not blocked for the seconds a large build takes. Receives the vectors,
 * writes the graph to a file, answers with each id's node label.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AnnIndex } from './ann.js';
import type { GraphJob, GraphResult } from './graph-builder.js';

const job = workerData as GraphJob;
let result: GraphResult;
try {
  const { dimension, ids, data, file } = job;
  const rows = new Map<string, Float32Array>(ids.map((id, i) => [id, data.subarray(i * dimension, (i + 1) * dimension)]));
  const ann = AnnIndex.build(dimension, rows, (id) => rows.get(id));
  ann.write(file);
  result = { ok: true, labels: ann.labelsFor(ids) };
} catch (e) {
  result = { ok: false, error: e instanceof Error ? e.message : String(e) };
}
parentPort?.postMessage(result);
