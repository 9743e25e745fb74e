/**
 * One benchmark process: opens the file, warms up, prints `ready`, waits for `go` on stdin, runs
 * its workload for a fixed duration and prints one JSON line (a ChildReport). Started by
 * bench/kv.ts as `node --import tsx bench/kv-child.ts '<ChildConfig JSON>'`.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { openMemex } from '../src/index.js';
import { COUNTER, GET_KEYS, getKey, naiveUpdate, openRaw } from './lib/fixtures.js';
import { Histogram } from './lib/histogram.js';
import type { ChildConfig, ChildReport } from './lib/protocol.js';

const cfg = JSON.parse(process.argv[2] ?? '') as ChildConfig;
const hist = new Histogram();
const errors: Record<string, number> = {};
let ops = 0;

function fail(e: unknown): void {
  const c = (e as { code?: unknown } | null)?.code;
  const code = typeof c === 'string' ? c : e instanceof Error ? e.name : 'error';
  if (errors[code] === undefined) process.stderr.write(`[bench child ${cfg.index} ${cfg.engine}] first ${code}: ${(e as Error).message}\n`);
  errors[code] = (errors[code] ?? 0) + 1;
}

/** Random key indexes, precomputed so the timed loop does not pay for Math.random. */
const keyOrder = Array.from({ length: 65_536 }, () => getKey(Math.floor(Math.random() * GET_KEYS)));

function ready(): Promise<void> {
  process.stdout.write('ready\n');
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.on('line', (line) => {
      if (line.trim() === 'go') {
        rl.close();
        resolve();
      }
    });
  });
}

/** `callers` async loops, each awaiting one call at a time until the deadline. */
async function runAsync(call: (i: number) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  const end = start + cfg.durationMs;
  let n = 0;
  const loop = async () => {
    while (performance.now() < end) {
      const i = n++;
      const t0 = performance.now();
      try {
        await call(i);
        ops++;
      } catch (e) {
        fail(e);
      }
      hist.record(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: cfg.callers }, loop));
  return performance.now() - start;
}

/** One synchronous caller until the deadline (raw better-sqlite3 is synchronous). */
function runSync(call: (i: number) => void): number {
  const start = performance.now();
  const end = start + cfg.durationMs;
  for (let i = 0; performance.now() < end; i++) {
    const t0 = performance.now();
    try {
      call(i);
      ops++;
    } catch (e) {
      fail(e);
    }
    hist.record(performance.now() - t0);
  }
  return performance.now() - start;
}

async function memex(): Promise<Pick<ChildReport, 'elapsedMs' | 'memex'>> {
  const mx = await openMemex({ path: cfg.path, durability: cfg.durability });
  const warm = `warm:${cfg.index}`;
  for (let i = 0; i < 50; i++) await mx.kv.update<number>(warm, (n = 0) => n + 1);
  for (let i = 0; i < 2000; i++) await mx.kv.get(keyOrder[i % keyOrder.length] ?? COUNTER);
  const before = await mx.stats();
  await ready();
  const elapsedMs =
    cfg.op === 'update'
      ? await runAsync(() => mx.kv.update<number>(COUNTER, (n = 0) => n + 1))
      : await runAsync((i) => mx.kv.get(keyOrder[i & 65_535] ?? COUNTER));
  const after = await mx.stats();
  await mx.close();
  const d = (f: (s: typeof after) => number) => f(after) - f(before);
  const lock = {
    acquisitions: d((s) => s.lock.acquisitions),
    waits: d((s) => s.lock.waits),
    totalWaitMs: d((s) => s.lock.totalWaitMs),
    timeouts: d((s) => s.lock.timeouts),
    busyRetries: d((s) => s.lock.busyRetries),
  };
  return { elapsedMs, memex: { writes: d((s) => s.writes), commits: d((s) => s.commits), lock } };
}

async function raw(): Promise<Pick<ChildReport, 'elapsedMs'>> {
  const db = openRaw(cfg.path, cfg.durability);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  const select = db.prepare('SELECT value FROM t WHERE k = ?').pluck();
  const update = db.prepare('UPDATE t SET value = ? WHERE k = ?');
  const rmw = (key: string) => {
    begin.run();
    try {
      const v = JSON.parse(select.get(key) as string) as number;
      update.run(JSON.stringify(v + 1), key);
      commit.run();
    } catch (e) {
      if (db.inTransaction) rollback.run();
      throw e;
    }
  };
  const warm = `warm:${cfg.index}`;
  db.prepare("INSERT INTO t (k, value) VALUES (?, '0') ON CONFLICT (k) DO NOTHING").run(warm);
  for (let i = 0; i < 50; i++) rmw(warm);
  for (let i = 0; i < 2000; i++) select.get(keyOrder[i % keyOrder.length]);
  await ready();
  let elapsedMs: number;
  if (cfg.op === 'update') elapsedMs = runSync(() => rmw(COUNTER));
  else if (cfg.parse) elapsedMs = runSync((i) => void JSON.parse(select.get(keyOrder[i & 65_535]) as string));
  else elapsedMs = runSync((i) => select.get(keyOrder[i & 65_535]));
  db.close();
  return { elapsedMs };
}

async function naive(): Promise<Pick<ChildReport, 'elapsedMs'>> {
  if (cfg.op !== 'update') throw new Error('the naive approach only runs updates');
  const tmp = `${cfg.path}.${process.pid}.tmp`;
  for (let i = 0; i < 5; i++) JSON.stringify(JSON.parse(readFileSync(cfg.path, 'utf8')));
  await ready();
  return { elapsedMs: await runAsync(() => naiveUpdate(cfg.path, tmp)) };
}

const run = cfg.engine === 'memex' ? memex : cfg.engine === 'raw' ? raw : naive;
const out = await run();
const report: ChildReport = { index: cfg.index, pid: process.pid, ops, errors, latency: hist.toJSON(), ...out };
process.stdout.write(`${JSON.stringify(report)}\n`);
