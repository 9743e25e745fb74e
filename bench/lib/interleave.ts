/**
 * Two workloads measured against each other in one process, round after round in alternation, by
 * the CPU time each round takes. On this shared 2-core machine two child processes run minutes
 * apart saw the same raw usearch loop at 1,900 and 3,900 queries/s on one day; rounds that
 * alternate every few hundred queries meet the same neighbours, and CPU time leaves out the time
 * another tenant held the core. The figure is the median of the per-round ratios.
 */
import { quantileOf } from './format.js';

export interface Interleaved {
  readonly rounds: number;
  readonly opsPerRound: number;
  /** Median CPU µs per operation of each side. */
  readonly aUs: number;
  readonly bUs: number;
  /** b's time / a's time, per round pair: quartiles (a's speed relative to b's). */
  readonly ratio: { readonly p25: number; readonly median: number; readonly p75: number };
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/** Yields to the event loop, so callbacks a side scheduled (setImmediate) run in its own round. */
const yieldLoop = () => new Promise<void>((r) => setImmediate(r));

/**
 * Alternates `rounds` rounds of `a` and of `b`, `opsPerRound` calls each (call i gets i).
 * Pass functions that do the same work per call; a's ratio above 1 means a is faster.
 */
export async function interleave(rounds: number, opsPerRound: number, a: (i: number) => unknown, b: (i: number) => unknown): Promise<Interleaved> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = cpuUs();
    for (let i = 0; i < opsPerRound; i++) await a(i);
    await yieldLoop();
    as.push((cpuUs() - t) / opsPerRound);
    t = cpuUs();
    for (let i = 0; i < opsPerRound; i++) await b(i);
    await yieldLoop();
    bs.push((cpuUs() - t) / opsPerRound);
  }
  const ratios = as.map((x, i) => bs[i]! / x);
  return {
    rounds,
    opsPerRound,
    aUs: quantileOf(as, 0.5),
    bUs: quantileOf(bs, 0.5),
    ratio: { p25: quantileOf(ratios, 0.25), median: quantileOf(ratios, 0.5), p75: quantileOf(ratios, 0.75) },
  };
}
