/**
 * Export and import benchmarks (issue 11): `memex export` and `memex import` as users run them
 * (the built binary, one child process each), over key-value records and over 384-dimensional
 * vector documents, on SQLite and PostgreSQL. Each is measured at a tenth of the size and at
 * the full size: records/s, and the child's peak RSS, which must not grow with the record count.
 *
 *   npx tsx bench/export-import.ts                 # 1M kv and 100k vectors, both engines (~15 min)
 *   npx tsx bench/export-import.ts --quick         # 100k kv and 10k vectors
 *   npx tsx bench/export-import.ts --only sqlite --kv 200000 --vectors 0
 *
 * PostgreSQL: MEMEX_PG_URL, or the local cluster .ci/run starts. Prints a Markdown section.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postgresEngine } from '../src/engine/postgres/factory.js';
import { sqliteEngine } from '../src/engine/sqlite/factory.js';
import type { Engine } from '../src/engine/types.js';
import { VECTORS, VECTORS_META } from '../src/stores/names.js';
import { encodeVector } from '../src/stores/vectors/doc.js';
import { benchEnv } from './lib/env.js';
import { cliHelpers, parseOptions } from './lib/cli.js';

const HELP = `Usage: npx tsx bench/export-import.ts [options]

  --quick            a tenth of the default sizes
  --kv <n>           key-value records at full size (default 1000000; 0 = none)
  --vectors <n>      384-d vector documents at full size (default 100000; 0 = none)
  --only <engines>   sqlite, postgres (comma-separated; default both)
  --help
`;
const { usageError, list, oneOf, exitOnHelp } = cliHelpers(HELP);
const args = parseOptions(
  { quick: { type: 'boolean' }, kv: { type: 'string' }, vectors: { type: 'string' }, only: { type: 'string' }, help: { type: 'boolean' } },
  usageError,
);
exitOnHelp(args.help);
const count = (s: string | undefined, d: number) => {
  const n = s === undefined ? d : Number(s);
  if (!Number.isInteger(n) || n < 0) usageError(`sizes must be non-negative integers, got ${s}`);
  return args.quick && s === undefined ? d / 10 : n;
};
const KV = count(args.kv, 1_000_000);
const VECS = count(args.vectors, 100_000);
const ENGINES = (args.only ? list(args.only) : ['sqlite', 'postgres']).map((e) => oneOf('only', ['sqlite', 'postgres'] as const, e));
const PG_URL = process.env.MEMEX_PG_URL ?? 'postgres://memex:memex@127.0.0.1:5432/memex';
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const DIM = 384;
const dir = mkdtempSync(join(tmpdir(), 'memex-bench-ei-'));

type Kind = 'kv' | 'vectors';
const common = { clock: Date.now, customClock: false, lockTimeoutMs: 60_000, maxEvents: 100_000 };

/** Fills a store with `n` records of `kind` straight through the engine, 5000 per transaction. */
async function fill(engine: Engine, kind: Kind, n: number): Promise<void> {
  const vector = new Float32Array(DIM);
  for (let at = 0; at < n; at += 5000) {
    const rows: [string, string][] = [];
    for (let i = at; i < Math.min(n, at + 5000); i++) {
      const key = `k${String(i).padStart(8, '0')}`;
      if (kind === 'kv') rows.push([key, JSON.stringify({ i, user: `u${i % 1000}`, note: 'x'.repeat(40) })]);
      else {
        for (let d = 0; d < DIM; d++) vector[d] = Math.sin(i * 0.37 + d);
        rows.push([key, JSON.stringify({ text: `document ${i} about topic ${i % 97}`, metadata: { n: i % 10 }, v: encodeVector(vector) })]);
      }
    }
    await engine.write((tx) => {
      for (const [k, v] of rows) {
        tx.put('bench', kind === 'kv' ? 'kv' : VECTORS, k, v, { expiresAt: null });
        if (kind === 'vectors') tx.setText('bench', VECTORS, k, (JSON.parse(v) as { text: string }).text);
      }
      if (kind === 'vectors' && at === 0) tx.put('bench', VECTORS_META, 'dimension', String(DIM), { expiresAt: null });
    });
  }
}

/** Runs `memex <args>`; resolves its wall time and peak RSS (reported by the child as it exits). */
function run(cliArgs: string[]): Promise<{ seconds: number; maxRssMiB: number }> {
  const rss = 'data:text/javascript,process.on("exit",()=>process.stderr.write("maxrss:"+process.resourceUsage().maxRSS+"\\n"))';
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', rss, CLI, ...cliArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      const m = /maxrss:(\d+)/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`memex ${cliArgs[0]} exited ${code}: ${stderr.slice(-2000)}`));
      resolve({ seconds: (performance.now() - started) / 1000, maxRssMiB: Number(m[1]) / 1024 });
    }),
  );
}

interface Row {
  engine: string;
  kind: Kind;
  records: number;
  fileMiB: number;
  exportPerSec: number;
  exportRssMiB: number;
  importPerSec: number;
  importRssMiB: number;
}

let schemaN = 0;
async function measure(engineName: 'sqlite' | 'postgres', kind: Kind, n: number): Promise<Row> {
  const tag = `${engineName}-${kind}-${n}`;
  const where = (role: string): { flags: string[]; open: () => Promise<Engine> } => {
    if (engineName === 'sqlite') {
      const path = join(dir, `${tag}-${role}.db`);
      return { flags: ['--path', path], open: async () => sqliteEngine({ path, durability: 'normal' }).open(common) };
    }
    const schema = `bench_ei_${process.pid}_${schemaN++}`;
    return { flags: ['--url', PG_URL, '--schema', schema], open: async () => postgresEngine({ url: PG_URL, schema }).open(common) };
  };
  const source = where('source');
  const engine = await source.open();
  await fill(engine, kind, n);
  await engine.close();
  const file = join(dir, `${tag}.ndjson`);
  process.stderr.write(`${tag}: export…\n`);
  const ex = await run(['export', ...source.flags, '--out', file]);
  const target = where('target');
  process.stderr.write(`${tag}: import…\n`);
  // The import creates the PostgreSQL schema or the SQLite file itself.
  const im = await run(['import', file, ...target.flags]);
  const row: Row = {
    engine: engineName,
    kind,
    records: n,
    fileMiB: statSync(file).size / 2 ** 20,
    exportPerSec: n / ex.seconds,
    exportRssMiB: ex.maxRssMiB,
    importPerSec: n / im.seconds,
    importRssMiB: im.maxRssMiB,
  };
  rmSync(file);
  process.stderr.write(`${JSON.stringify(row)}\n`);
  return row;
}

async function dropBenchSchemas(): Promise<void> {
  if (!ENGINES.includes('postgres')) return;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const { rows } = await c.query<{ s: string }>(`SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE 'bench_ei_${process.pid}_%'`);
  for (const r of rows) await c.query(`DROP SCHEMA "${r.s}" CASCADE`);
  await c.end();
}

const rows: Row[] = [];
const env = benchEnv(fileURLToPath(new URL('..', import.meta.url)), process.argv.slice(2), 'bench/export-import.ts');
try {
  for (const engineName of ENGINES) {
    for (const [kind, full] of [
      ['kv', KV],
      ['vectors', VECS],
    ] as const) {
      if (full === 0) continue;
      rows.push(await measure(engineName, kind, full / 10));
      rows.push(await measure(engineName, kind, full));
    }
  }
} finally {
  await dropBenchSchemas();
  rmSync(dir, { recursive: true, force: true });
}

const f = (x: number) => Math.round(x).toLocaleString('en-US');
const lines = [
  `### Export and import (${env.date.slice(0, 10)})`,
  '',
  `${env.cpu}, ${env.nproc} cores, ${env.ramGiB} GiB; Node ${env.node}, SQLite ${env.sqlite}; commit ${env.commit ?? '?'}; load ${env.loadAvgStart.toFixed(2)} at start.`,
  `Command: \`${env.command}\`. Each number is one run of the built binary as a child process; RSS is the child's peak (\`process.resourceUsage().maxRSS\`).`,
  '',
  '| engine | records | count | NDJSON MiB | export records/s | export peak RSS MiB | import records/s | import peak RSS MiB |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.engine} | ${r.kind === 'kv' ? 'kv' : `vectors (${DIM}-d)`} | ${f(r.records)} | ${r.fileMiB.toFixed(0)} | ${f(r.exportPerSec)} | ${r.exportRssMiB.toFixed(0)} | ${f(r.importPerSec)} | ${r.importRssMiB.toFixed(0)} |`,
  ),
  '',
  'Peak RSS at the full size over the tenth (must stay near 1x: memory does not grow with the record count):',
  '',
  ...ENGINES.flatMap((e) =>
    (['kv', 'vectors'] as const).flatMap((k) => {
      const [small, big] = rows.filter((r) => r.engine === e && r.kind === k);
      return small && big
        ? [
            `- ${e} ${k}: export ${(big.exportRssMiB / small.exportRssMiB).toFixed(2)}x, import ${(big.importRssMiB / small.importRssMiB).toFixed(2)}x (${f(small.records)} -> ${f(big.records)} records)`,
          ]
        : [];
    }),
  ),
];
process.stdout.write(`${lines.join('\n')}\n`);
