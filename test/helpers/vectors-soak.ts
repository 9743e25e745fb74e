/**
 * The vector soak (issue 28), shared by its CI test and `scripts/vectors-soak.ts`: in each round a
 * writer (vectors-soak-writer.ts) writes batches of 5 documents with a delete after every third
 * and is SIGKILLed mid-batch (see the loop for when); then this process opens the store,
 * checks every acknowledged write, searches, lets the graph build, closes (saving the derived
 * index), reopens (loading it), searches again, deletes every surviving document and closes.
 * One process runs every round: a saved index that crashes or hangs its loader ends the run.
 */
import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openMemex, type Memex } from '../../src/index.js';
import { cosine } from '../../src/testing/vector-data.js';
import { rng } from '../../src/util/rng.js';
import { soakId, soakVector, type SoakLine } from '../fixtures/vectors-soak-model.js';
import { here, spawnScript } from './spawn.js';

const WRITER = here(import.meta.url, '../fixtures/vectors-soak-writer.mjs');

export interface SoakResult {
  rounds: number;
  /** Documents acknowledged, and acknowledged deletes, over all rounds. */
  acked: number;
  deletes: number;
  /** Rounds whose store held at least 2,000 documents (so a graph was built, saved and loaded). */
  graphRounds: number;
  searches: number;
  /** Saved indexes loaded on reopen, and rebuilt because the saved one was not used. */
  loads: number;
  rebuilds: number;
  largest: number;
}

interface Writer {
  child: ChildProcess;
  issued: Set<number>;
  acked: Set<number>;
  deleted: Set<number>;
  /** Deletes issued (acknowledged or not). */
  deleting: Set<number>;
  /** Resolves once `docs` documents are acknowledged (set before `go`; 1 by default). */
  target: number;
  reached: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts round `round`'s writer; it loads, says ready, and waits for `go`. */
async function startWriter(path: string, round: number): Promise<Writer> {
  const child = spawnScript(WRITER, [path, String(round)]);
  const w = { child, issued: new Set<number>(), acked: new Set<number>(), deleted: new Set<number>(), deleting: new Set<number>() } as Writer;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  let ready!: () => void;
  let reached!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  w.target = 1;
  w.reached = new Promise<void>((r) => (reached = r));
  const closed = new Promise<void>((r) => lines.once('close', r));
  lines.on('line', (text) => {
    const line = JSON.parse(text) as SoakLine;
    if ('ready' in line) ready();
    else if ('issue' in line) for (const n of line.issue) w.issued.add(n);
    else if ('ack' in line) {
      for (const n of line.ack) w.acked.add(n);
      if (w.acked.size >= w.target) reached();
    } else if ('deleting' in line) w.deleting.add(line.deleting);
    else w.deleted.add(line.deleted);
  });
  w.exited = new Promise((r) => child.once('close', (code, signal) => void closed.then(() => r({ code, signal, stderr }))));
  await Promise.race([isReady, w.exited.then((e) => Promise.reject(new Error(`soak writer exited before ready: ${e.stderr}`)))]);
  return w;
}

/** Top `k` surviving ids for `q` by an exact cosine computed here from the model. */
function exact(survivors: readonly number[], round: number, q: Float32Array, k: number): { id: string; score: number }[] {
  return survivors
    .map((n) => ({ id: soakId(round, n), score: cosine(q, soakVector(round, n)) }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
    .slice(0, k);
}

/**
 * Searches `mx` for three queries and holds each answer to the exact scan: every hit a survivor
 * with its exact score, in order; the graph (from 2,000 documents) may miss one of the ten.
 */
async function checkSearches(mx: Memex, survivors: readonly number[], round: number, r: () => number, where: string): Promise<number> {
  const alive = new Set(survivors.map((n) => soakId(round, n)));
  const queries = [soakVector(round + 1_000_000, Math.floor(r() * 1e6))];
  if (survivors.length > 0) queries.push(soakVector(round, survivors[Math.floor(r() * survivors.length)]!), soakVector(round, survivors[0]!));
  for (const q of queries) {
    const hits = await mx.vectors.search({ vector: q, topK: 10 });
    const want = exact(survivors, round, q, 10);
    const ids = hits.map((h) => h.id);
    const where2 = `round ${round}, ${where}: got ${ids.join(' ')}, exact ${want.map((w) => w.id).join(' ')}`;
    if (hits.length !== want.length) throw new Error(`${where2}: ${hits.length} hits for ${want.length}`);
    for (const h of hits) {
      if (!alive.has(h.id)) throw new Error(`${where2}: ${h.id} is not a surviving document`);
      const n = Number(h.id.split('-')[1]);
      if (Math.abs(h.score - cosine(q, soakVector(round, n))) > 1e-5) throw new Error(`${where2}: ${h.id} scored ${h.score}`);
    }
    const missed = want.filter((w) => !ids.includes(w.id)).length;
    if (missed > (survivors.length >= 2000 ? 1 : 0)) throw new Error(`${where2}: missed ${missed}`);
  }
  return queries.length;
}

/**
 * Runs `rounds` soak rounds in this process, split over `lanes` stores in `dir` run side by side
 * (each lane's writer loads while another lane checks: the machine's cores stay busy); throws at
 * the first broken promise. `seed` replays a run.
 */
export async function runVectorSoak(dir: string, rounds: number, seed: number, lanes = 2, log: (s: string) => void = () => {}): Promise<SoakResult> {
  const res: SoakResult = { rounds: 0, acked: 0, deletes: 0, graphRounds: 0, searches: 0, loads: 0, rebuilds: 0, largest: 0 };
  const each = Array.from({ length: lanes }, (_, i) => Math.floor(rounds / lanes) + (i < rounds % lanes ? 1 : 0));
  await Promise.all(each.map((n, i) => soakLane(join(dir, `lane${i}.db`), n, rng(seed + i), res, log)));
  return res;
}

async function soakLane(path: string, rounds: number, r: () => number, res: SoakResult, log: (s: string) => void): Promise<void> {
  let next = startWriter(path, 0);
  for (let round = 0; round < rounds; round++) {
    const w = await next;
    // Most rounds kill 50-350 ms after the first acknowledgement (the outside check's timing);
    // every fifth once 2,000-2,600 documents are in, so that graphs are built, saved and loaded
    // however slow a loaded machine makes the writer. Either way a batch is in flight.
    const byCount = round % 5 === 4;
    if (byCount) w.target = 2000 + Math.floor(r() * 601);
    w.child.stdin!.write('go\n');
    await Promise.race([w.reached, w.exited.then((e) => Promise.reject(new Error(`round ${round}: the writer exited first: ${e.stderr}`)))]);
    // When the kill lands is the point of the soak, not a stand-in for synchronisation.
    if (!byCount) await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(r() * 301)));
    w.child.kill('SIGKILL');
    const exit = await w.exited;
    if (exit.signal !== 'SIGKILL') throw new Error(`round ${round}: writer ended with ${exit.code ?? exit.signal}: ${exit.stderr}`);
    if (round + 1 < rounds) next = startWriter(path, round + 1);

    const mx = await openMemex({ path, durability: 'normal' });
    let survivors: number[];
    try {
      // Acknowledged and never deleted: present. Deleted: absent. Either while its write was in
      // flight: those are read one by one, with the deleted and a sample of the rest; the count
      // then pins the whole set (and deleteWhere's count below pins it again).
      const certain = [...w.acked].filter((n) => !w.deleting.has(n));
      const isCertain = new Set(certain);
      const uncertain = [...w.issued].filter((n) => !isCertain.has(n) && !w.deleted.has(n));
      const sample = certain.filter((_, i) => i % Math.max(1, Math.floor(certain.length / 50)) === 0);
      for (const n of [...sample, ...w.deleted]) {
        const doc = await mx.vectors.get(soakId(round, n));
        if (!doc !== w.deleted.has(n))
          throw new Error(`round ${round}: ${soakId(round, n)} is ${doc ? 'back after its delete' : 'missing though acknowledged'}`);
      }
      survivors = [...certain];
      for (const n of uncertain) if (await mx.vectors.get(soakId(round, n))) survivors.push(n);
      if ((await mx.vectors.count()) !== survivors.length) throw new Error(`round ${round}: count is not the ${survivors.length} survivors`);
      res.searches += await checkSearches(mx, survivors, round, r, 'after the kill');
      await mx.vectors.waitForIndex();
      res.searches += await checkSearches(mx, survivors, round, r, 'with the graph built');
    } finally {
      await mx.close();
    }
    const again = await openMemex({ path, durability: 'normal' });
    try {
      res.searches += await checkSearches(again, survivors, round, r, 'reopened on the saved index');
      const stats = (await again.stats()).stores.vectors!;
      res.loads += stats.indexLoads ?? 0;
      res.rebuilds += stats.indexRebuilds ?? 0;
      const { deleted } = await again.vectors.deleteWhere({ round });
      if (deleted !== survivors.length) throw new Error(`round ${round}: deleteWhere removed ${deleted} of ${survivors.length}`);
      res.searches += await checkSearches(again, [], round, r, 'emptied');
    } finally {
      await again.close();
    }
    res.rounds++;
    res.acked += w.acked.size;
    res.deletes += w.deleted.size;
    res.largest = Math.max(res.largest, survivors.length);
    if (survivors.length >= 2000) res.graphRounds++;
    if (res.rounds % 25 === 0) log(`${res.rounds} rounds: ${JSON.stringify(res)}`);
  }
}
