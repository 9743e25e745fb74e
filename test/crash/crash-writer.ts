/**
 * Crash-test child: `crash-writer.ts <path> <full|normal> <generation> <seed>`.
 *
 * Opens the store and runs WRITERS concurrent async loops forever (the parent SIGKILLs it), so
 * group commit puts several writes in one transaction. Each loop picks at random:
 *   - set:      one key of SINGLE_KEYS;
 *   - setMany:  2–20 keys of SINGLE_KEYS, all carrying the same write id;
 *   - txn:      moves amounts between 2–3 ACCOUNTS (balances sum to 0) and sometimes also sets
 *               one SINGLE_KEYS key, all under one write id;
 *   - abort:    a transaction that writes like `txn` and then throws: nothing may remain.
 * Before a write it prints an IssueLine, after its promise resolved an AckLine (one JSON line
 * each, written to fd 1 synchronously, so a printed line survives the kill); before and after
 * opening the store it announces 'opening' and 'opened' (helpers/crash-writer.ts).
 *
 * Write ids are `[generation, seq]`: the generation (the parent's iteration) increases across
 * children, seq within one. A key is never written by two in-flight writes at once (a key stays
 * busy until its write is acknowledged), so per key the ids increase in apply order.
 */
import { openMemex, type KvTransaction } from '../../src/index.js';
import {
  ACCOUNTS,
  SINGLE_KEYS,
  mulberry32,
  valueFor,
  type AckLine,
  type Durability,
  type IssueLine,
  type OpKind,
  type StoredValue,
} from './check.js';
import { announce } from '../helpers/crash-writer.js';
import { emitLine } from '../helpers/emit-line.js';
import { isPgLocation, openAt } from '../helpers/location.js';

const WRITERS = 8;

const [path, durabilityArg, genArg, seedArg] = process.argv.slice(2);
if (!path || (durabilityArg !== 'full' && durabilityArg !== 'normal') || !genArg || !seedArg) {
  process.stderr.write('usage: crash-writer.ts <path> <full|normal> <generation> <seed>\n');
  process.exit(2);
}
const durability: Durability = durabilityArg;
const g = Number(genArg);
const rng = mulberry32(Number(seedArg));
const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

// A PostgreSQL location (`pg:<schema>`) has no durability setting: commits are durable there.
// The announcements bracket the open (and the WAL recovery in it) for kills aimed at startup.
announce('opening');
const mx = isPgLocation(path) ? await openAt(path) : await openMemex({ path, durability });
announce('opened');
const busy = new Set<string>();
let seq = 0;

/** One line to the parent, before the next write is issued (see emitLine). */
const emit = (line: IssueLine | AckLine): void => emitLine(line);

/** Up to `n` distinct keys of `pool` that no in-flight write touches. */
function pickFree(pool: readonly string[], n: number): string[] {
  const free = pool.filter((k) => !busy.has(k));
  const out: string[] = [];
  while (out.length < n && free.length > 0) out.push(free.splice(Math.floor(rng() * free.length), 1)[0] as string);
  return out;
}

class Abort extends Error {}

/** Moves random amounts along the chain of accounts; returns the new balances. */
function transfer(tx: KvTransaction, s: number, op: OpKind, accts: string[], extra: string[], amounts: number[]): Record<string, number> {
  const ks = [...accts, ...extra];
  const bal: Record<string, number> = {};
  for (const a of accts) bal[a] = tx.get<StoredValue>(a)?.bal ?? 0;
  accts.forEach((a, i) => {
    const x = amounts[i] ?? 0;
    bal[a] = (bal[a] ?? 0) - x;
    const next = accts[(i + 1) % accts.length] as string;
    bal[next] = (bal[next] ?? 0) + x;
  });
  accts.forEach((a, i) => {
    const v = valueFor(a, g, s, op, ks, bal[a]);
    // Mix the write paths of a transaction handle.
    if (i === 0) tx.update<StoredValue>(a, () => v);
    else tx.set(a, v);
  });
  for (const k of extra) tx.set(k, valueFor(k, g, s, op, ks));
  if (op === 'abort') throw new Abort('deliberate abort after writing');
  return bal;
}

async function writer(): Promise<never> {
  for (;;) {
    const r = rng();
    const op: OpKind = r < 0.4 ? 'set' : r < 0.7 ? 'setMany' : r < 0.95 ? 'txn' : 'abort';
    let ks: string[];
    let accts: string[] = [];
    let extra: string[] = [];
    if (op === 'set') ks = pickFree(SINGLE_KEYS, 1);
    else if (op === 'setMany') ks = pickFree(SINGLE_KEYS, int(2, 20));
    else {
      accts = pickFree(ACCOUNTS, int(2, 3));
      extra = accts.length >= 2 && rng() < 0.5 ? pickFree(SINGLE_KEYS, 1) : [];
      ks = [...accts, ...extra];
    }
    const enough = op === 'set' ? ks.length === 1 : op === 'setMany' ? ks.length >= 2 : accts.length >= 2;
    if (!enough) {
      await new Promise((res) => setImmediate(res));
      continue;
    }
    for (const k of ks) busy.add(k);
    const s = ++seq;
    const amounts = op === 'txn' || op === 'abort' ? accts.map(() => int(-50, 50)) : undefined;
    emit({ i: s, g, op, ks, ...(amounts ? { amt: amounts } : {}) });
    if (op === 'set') {
      const k = ks[0] as string;
      await mx.kv.set(k, valueFor(k, g, s, op, ks));
      emit({ a: s, g, op, ks });
    } else if (op === 'setMany') {
      await mx.kv.setMany(ks.map((k) => ({ key: k, value: valueFor(k, g, s, op, ks) })));
      emit({ a: s, g, op, ks });
    } else {
      try {
        const bal = await mx.kv.transaction((tx) => transfer(tx, s, op, accts, extra, amounts ?? []));
        if (op === 'abort') throw new Error(`aborting transaction #${g}.${s} resolved`);
        emit({ a: s, g, op, ks, bal });
      } catch (e) {
        if (!(op === 'abort' && e instanceof Abort)) throw e;
      }
    }
    for (const k of ks) busy.delete(k);
  }
}

try {
  await Promise.all(Array.from({ length: WRITERS }, () => writer()));
} catch (e) {
  process.stderr.write(`crash-writer failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
}
