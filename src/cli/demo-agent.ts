import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { LockStats } from '../engine/types.js';
import type { WorkloadResult } from './demo-workload.js';
import { siblingWorker } from '../util/script-path.js';

/**
 * One agent process: starts its worker threads, prints `ready` once they have all opened the
 * store, starts them on the `go` line from stdin, and prints their results as one JSON line.
 */
export interface AgentReport {
  readonly pid: number;
  readonly agents: { result: WorkloadResult; lock: LockStats & { avgWaitMs: number }; commits: number; writes: number }[];
}

const [store, workers, callers, durationMs, processIndex] = process.argv.slice(2);
const runs = Array.from({ length: Number(workers) }, (_, i) => {
  const w = siblingWorker(import.meta.url, 'demo-worker', {
    workerData: {
      store: JSON.parse(store!) as unknown,
      agent: `p${processIndex}-w${i}`,
      callers: Number(callers),
      durationMs: Number(durationMs),
      sharedKeys: 4,
      accounts: 8,
      seed: Number(processIndex) * 1000 + i + 1,
    },
  });
  const ready = new Promise<void>((resolve) => w.once('message', () => resolve()));
  const done = ready.then(
    () =>
      new Promise<AgentReport['agents'][number]>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  w.once('error', (e) => {
    process.stderr.write(`worker failed: ${String(e)}\n`);
    process.exit(1);
  });
  return { w, ready, done };
});
await Promise.all(runs.map((r) => r.ready));
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
await once(lines, 'line');
lines.close();
for (const r of runs) r.w.postMessage('go');
const report: AgentReport = { pid: process.pid, agents: await Promise.all(runs.map((r) => r.done)) };
process.stdout.write(`${JSON.stringify(report)}\n`);
