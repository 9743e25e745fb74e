/**
 * Builds a graph on a worker thread, so the event loop that serves everything else (lease
 * renewals included) is not blocked for the seconds a large build takes. Receives the vectors,
 * writes the graph to a file, answers with each id's node label, the node count and the file's CRC-32.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AnnIndex } from './ann.js';
import { VectorTable } from './vector-table.js';
import type { GraphJob, GraphResult } from './graph-builder.js';

const job = workerData as GraphJob;
let result: GraphResult;
try {
  const { dimension, ids, data, file } = job;
  const table = VectorTable.from(dimension, ids, data);
  const ann = AnnIndex.build(dimension, table.entries(), (id) => table.vector(id));
  const crc = ann.write(file);
  result = { ok: true, graph: { labels: ann.labelsFor(ids), nodes: ann.nodeCount(), crc } };
} catch (e) {
  result = { ok: false, error: e instanceof Error ? e.message : String(e) };
}
parentPort?.postMessage(result);
