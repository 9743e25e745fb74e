// The list-append workload across real processes: N workers (test/fixtures/list-append-worker.ts)
// on one target, one of them SIGKILLed midway, then a final read and the checker.
import { openMemex } from '../../src/index.js';
import { checkListAppend, finalLists, historyFromEvents, keysOf, type HistoryEvent, type ListAppendReport } from '../../src/testing/index.js';
import { openAt } from './location.js';
import { here, spawnScript, unlessExited, watchChild } from './spawn.js';

const WORKER = here(import.meta.url, '../fixtures/list-append-worker.ts');

export interface ProcsRun {
  /** A store location (SQLite path, pg:<schema>) or the URL of a `memex serve`. */
  readonly target: string;
  readonly processes: number;
  readonly callers: number;
  readonly txnsPerCaller: number;
  readonly seed: number;
  /** Process 0 is SIGKILLed once it has ended this many transactions. */
  readonly killAfter: number;
  readonly rotateEvery?: number;
}

/** The seed of a run: `MEMEX_LIST_APPEND_SEED` to replay one, else a fresh one (printed). */
export function listAppendSeed(): number {
  const env = process.env.MEMEX_LIST_APPEND_SEED;
  return env ? Number(env) : Math.floor(Math.random() * 2 ** 31);
}

/** Opens the target as the workers do. */
export const openTarget = (target: string) => (target.startsWith('http') ? openMemex({ url: target, timeoutMs: 20_000 }) : openAt(target));

type Exit = { code: number | null; signal: NodeJS.Signals | null; stderr: string };

/**
 * Runs the workers, kills process 0 after `killAfter` endings (an event, not a delay), waits for
 * the others to finish, reads every key once and checks the whole history. Throws unless process
 * 0 died of the SIGKILL and every other one exited 0.
 */
export async function runAcrossProcesses(o: ProcsRun): Promise<{ report: ListAppendReport; events: HistoryEvent[]; ends: Exit[] }> {
  const events: HistoryEvent[] = [];
  let ended0 = 0;
  const kids = Array.from({ length: o.processes }, (_, p) => {
    const args = [o.target, String(p), String(o.callers), String(o.txnsPerCaller), String(o.seed), ...(o.rotateEvery ? [String(o.rotateEvery)] : [])];
    const child = spawnScript(WORKER, args);
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const exited = watchChild(child, (line) => {
      if (line === 'ready') return ready();
      if (!line.startsWith('{')) return;
      const e = JSON.parse(line) as HistoryEvent;
      events.push(e);
      if (p === 0 && e.e !== 'invoke' && ++ended0 === o.killAfter) child.kill('SIGKILL');
    });
    return { child, isReady, exited };
  });
  await Promise.all(kids.map((k) => unlessExited(k.isReady, k.exited, 'it was ready')));
  for (const k of kids) k.child.stdin!.end('go\n');
  const ends = await Promise.all(kids.map((k) => k.exited));
  if (ends[0]!.signal !== 'SIGKILL') throw new Error(`process 0 was to be killed midway, yet it exited with ${ends[0]!.code}: ${ends[0]!.stderr}`);
  for (const e of ends.slice(1)) if (e.code !== 0) throw new Error(`a worker exited with ${e.code ?? e.signal}: ${e.stderr}`);
  const reader = await openTarget(o.target);
  try {
    const history = historyFromEvents(events, await finalLists(reader.scope('list-append').kv, keysOf(events)));
    return { report: checkListAppend(history), events, ends };
  } finally {
    await reader.close();
  }
}
