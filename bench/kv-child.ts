/**
 * One benchmark process: opens the file, warms up, prints `ready`, waits for `go` on stdin, runs
 * its workload for a fixed duration and prints one JSON line (a ChildReport). Started by
 * bench/kv.ts as `node --import tsx bench/kv-child.ts '<ChildConfig JSON>'`.
 */
import { readFileSync } from 'node:fs';
import { openMemex } from '../src/index.js';
import { COUNTER, GET_KEYS, getKey, naiveUpdate, openRaw, rawRmw } from './lib/fixtures.js';
import { engineDelta, ready, report, Workload } from './lib/child.js';
import type { ChildConfig, ChildReport } from './lib/protocol.js';

const cfg = JSON.parse(process.argv[2] ?? '') as ChildConfig;
const work = new Workload(`${cfg.index} ${cfg.engine}`);

/** Random key indexes, precomputed so the timed loop does not pay for Math.random. */
const keyOrder = Array.from({ length: 65_536 }, () => getKey(Math.floor(Math.random() * GET_KEYS)));
const runAsync = (call: (i: number) => Promise<unknown>) => work.runAsync(cfg.callers, cfg.durationMs, call);
const runSync = (call: (i: number) => void) => work.runSync(cfg.durationMs, call);

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
  return { elapsedMs, memex: engineDelta(before, after) };
}

async function raw(): Promise<Pick<ChildReport, 'elapsedMs'>> {
  const db = openRaw(cfg.path, cfg.durability);
  const select = db.prepare('SELECT value FROM t WHERE k = ?').pluck();
  const rmw = rawRmw(db);
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
const result: ChildReport = { ...work.result(cfg.index, out.elapsedMs), ...out };
report(result);
