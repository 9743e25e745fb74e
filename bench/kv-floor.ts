/**
 * Where the time of one uncontended `kv.update` goes ('normal' durability, one process, one
 * caller): the raw read-modify-write of bench/kv.ts, then the same over Memex's own schema without
 * and with the change-feed row, then Memex's exact SQL through its SqliteTx (no queue), then
 * `kv.update` itself. Each step adds one thing, so the differences say what each costs; the
 * third is the floor any Memex write path on this schema can reach.
 *
 * The variants alternate in rounds (ABCDE EDCBA …) on separate files; the figure is the median
 * wall-clock µs per update over the rounds. Wall clock, not CPU time: the checkpoints' fsyncs are
 * part of what a write costs.
 *
 *   npx tsx bench/kv-floor.ts [--rounds 12] [--ops 10000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openMemex, type Memex } from '../src/index.js';
import { SqliteTx } from '../src/engine/sqlite/tx.js';
import { cliHelpers, parseOptions } from './lib/cli.js';
import { benchEnv } from './lib/env.js';
import { quantileOf, ratio, table } from './lib/format.js';
import { COUNTER, openRaw, rawRmw, setupFile } from './lib/fixtures.js';

const HELP = `Usage: npx tsx bench/kv-floor.ts [options]

  --rounds <n>   rounds of every variant, alternating (default 12)
  --ops <n>      updates per variant per round (default 10000)
  --help
`;
const cli = cliHelpers(HELP);
const args = parseOptions(
  { rounds: { type: 'string', default: '12' }, ops: { type: 'string', default: '10000' }, help: { type: 'boolean' } },
  cli.usageError,
);
cli.exitOnHelp(args.help);
const rounds = cli.posInt('rounds', args.rounds);
const ops = cli.posInt('ops', args.ops);
const dir = mkdtempSync(join(tmpdir(), 'memex-kv-floor-'));

interface Variant {
  readonly label: string;
  readonly update: () => unknown;
  readonly close: () => unknown;
}

async function rawVariant(): Promise<Variant> {
  const path = join(dir, 'raw.db');
  await setupFile('raw', path, 'normal', false);
  const db = openRaw(path, 'normal');
  const rmw = rawRmw(db);
  return { label: 'raw `BEGIN IMMEDIATE` RMW on a one-table kv (bench/kv.ts)', update: () => rmw(COUNTER), close: () => db.close() };
}

/**
 * A file made by openMemex (so the schema is Memex's), opened with the raw baseline's settings;
 * `body` runs inside `BEGIN IMMEDIATE … COMMIT` with the counter's namespace and store.
 */
async function onMemexSchema(name: string, label: string, prepare: (db: Database.Database) => (ns: string, store: string) => void): Promise<Variant> {
  const path = join(dir, name);
  await setupFile('memex', path, 'normal', false);
  const db = openRaw(path, 'normal');
  const [begin, commit] = [db.prepare('BEGIN IMMEDIATE'), db.prepare('COMMIT')];
  const { ns, store } = db.prepare('SELECT ns, store FROM records WHERE key = ?').get(COUNTER) as { ns: string; store: string };
  const body = prepare(db);
  return {
    label,
    update: () => {
      begin.run();
      body(ns, store);
      commit.run();
    },
    close: () => db.close(),
  };
}

const schemaVariant = () =>
  onMemexSchema('schema.db', "the same on Memex's records table, no change-feed row", (db) => {
    const select = db.prepare('SELECT value, version FROM records WHERE ns = ? AND store = ? AND key = ?');
    const update = db.prepare('UPDATE records SET value = ?, version = ?, updated_at = ? WHERE ns = ? AND store = ? AND key = ?');
    return (ns, store) => {
      const row = select.get(ns, store, COUNTER) as { value: string; version: number };
      update.run(JSON.stringify((JSON.parse(row.value) as number) + 1), row.version + 1, Date.now(), ns, store, COUNTER);
    };
  });

const txVariant = () =>
  onMemexSchema('tx.db', "Memex's own SQL (SqliteTx getValue + put, which writes the change-feed row), no queue", (db) => {
    const tx = new SqliteTx(db);
    return (ns, store) => {
      tx.now = Date.now();
      const row = tx.getValue(ns, store, COUNTER);
      tx.put(ns, store, COUNTER, JSON.stringify((JSON.parse(row!.value) as number) + 1), { expiresAt: null });
    };
  });

async function memexVariant(): Promise<Variant> {
  const mx: Memex = await openMemex({ path: join(dir, 'memex.db'), durability: 'normal' });
  return {
    label: "memex `kv.update` (group-commit queue, write gate, validation, 'normal')",
    update: () => mx.kv.update<number>(COUNTER, (n = 0) => n + 1),
    close: () => mx.close(),
  };
}

const variants = [await rawVariant(), await schemaVariant(), await txVariant(), await memexVariant()];
const times: number[][] = variants.map(() => []);
for (const v of variants) for (let i = 0; i < 2000; i++) await v.update(); // warm-up, untimed
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? variants.keys() : [...variants.keys()].reverse();
  for (const i of order) {
    const v = variants[i]!;
    const t = performance.now();
    for (let n = 0; n < ops; n++) await v.update();
    times[i]!.push(((performance.now() - t) * 1000) / ops);
  }
}
for (const v of variants) await v.close();
rmSync(dir, { recursive: true, force: true });

const env = benchEnv(process.cwd(), process.argv.slice(2), 'bench/kv-floor.ts');
const us = times.map((t) => quantileOf(t, 0.5));
/** Per-round ratios to the raw baseline, so a noisy round moves both sides. */
const vsRaw = times.map((t) =>
  quantileOf(
    t.map((x, r) => times[0]![r]! / x),
    0.5,
  ),
);
console.log(`${env.date} — ${env.command}; ${env.cpu}, ${env.nproc} cores, Node ${env.node}, SQLite ${env.sqlite}`);
console.log(`${rounds} rounds x ${ops} updates per variant, alternating; median µs per update\n`);
console.log(
  table(
    ['variant', 'µs / update', 'ops/s', 'raw / this (median of rounds)'],
    variants.map((v, i) => [v.label, us[i]!.toFixed(1), Math.round(1e6 / us[i]!).toLocaleString('en-US'), ratio(vsRaw[i]!)]),
  ),
);
