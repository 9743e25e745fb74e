import { parentPort, workerData } from 'node:worker_threads';
import { openMemex } from '../memex.js';
import type { DemoStore } from './demo.js';
import { runWorkload, type WorkloadConfig } from './demo-workload.js';

/** One agent on its own worker thread, with its own connection (one per thread, never shared). */
interface WorkerInput extends WorkloadConfig {
  readonly store: DemoStore;
}

const input = workerData as WorkerInput;
const mx = await openMemex(input.store);
// All agents of all processes start together so they really contend: report ready, wait for go.
const go = new Promise((r) => parentPort?.once('message', r));
parentPort?.postMessage('ready');
await go;
const result = await runWorkload(mx, input);
const stats = await mx.stats();
await mx.close();
parentPort?.postMessage({ result, lock: stats.lock, commits: stats.commits, writes: stats.writes });
