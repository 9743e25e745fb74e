/**
 * Fleet-mode benchmarks: 4 node processes on one local PostgreSQL, Memex against raw `pg` doing
 * the same job, measured side by side in one run (variants interleaved) and reported as ratios.
 *
 *   npx tsx bench/pg.ts            # 3 s per phase
 *   npx tsx bench/pg.ts --quick    # 1 s per phase
 *
 * MEMEX_PG_URL selects the server (default: the test server of .ci/postgres.sh).
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { adminQuery as admin, PG_URL as URL_ } from '../test/helpers/pg.js';

const QUICK = process.argv.includes('--quick');
const MS = QUICK ? 1000 : 3000;
const NODES = 4;
const CHILD = fileURLToPath(new URL('./pg-child.ts', import.meta.url));

interface NodeResult {
  ops: number;
  errors: number;
  lock?: { waits: number; maxWaitMs: number };
}

/** Runs one variant on NODES processes started together; returns total ops/s and the results. */
async function phase(variant: string, schema: string, callers: number): Promise<{ opsPerSec: number; results: NodeResult[] }> {
  const kids = Array.from({ length: NODES }, (_, n) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, variant, schema, String(callers), String(MS), String(n)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let result: NodeResult | undefined;
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    createInterface({ input: child.stdout }).on('line', (l) => (l === 'ready' ? ready() : (result = JSON.parse(l) as NodeResult)));
    const done = new Promise<NodeResult>((res, rej) =>
      child.on('exit', (code) => (code === 0 && result ? res(result) : rej(new Error(`${variant} node exited ${code}`)))),
    );
    return { child, isReady, done };
  });
  await Promise.all(kids.map((k) => k.isReady));
  for (const k of kids) k.child.stdin.end('go\n');
  const results = await Promise.all(kids.map((k) => k.done));
  return { opsPerSec: results.reduce((n, r) => n + r.ops, 0) / (MS / 1000), results };
}

async function freshSchema(name: string): Promise<string> {
  await admin(
    `DROP SCHEMA IF EXISTS "${name}" CASCADE; CREATE SCHEMA "${name}"; CREATE TABLE "${name}".raw_kv (k text PRIMARY KEY, v bigint NOT NULL)`,
  );
  await admin(`INSERT INTO "${name}".raw_kv VALUES ('hot', 0)`);
  return name;
}

const rows: string[] = [];
const f = (n: number) => Math.round(n).toLocaleString('en-US');
async function compare(title: string, memex: string, raw: string, callers: number, target?: number) {
  const s = await freshSchema(`bench_${memex.replace('-', '_')}`);
  const m = await phase(memex, s, callers);
  const r = await phase(raw, s, callers);
  const ratio = m.opsPerSec / r.opsPerSec;
  const errs = m.results.reduce((n, x) => n + x.errors, 0) + r.results.reduce((n, x) => n + x.errors, 0);
  rows.push(
    `| ${title} | ${f(m.opsPerSec)} | ${f(r.opsPerSec)} | **${ratio.toFixed(2)}x** | ${target === undefined ? '—' : `>= ${target}x ${ratio >= target ? 'met' : 'missed'}`} | ${errs} |`,
  );
  process.stderr.write(`${title}: memex ${f(m.opsPerSec)} vs raw ${f(r.opsPerSec)} = ${ratio.toFixed(2)}x\n`);
}

await compare('kv.update, one shared key, 1 caller/node vs raw SELECT … FOR UPDATE', 'memex-update', 'raw-update', 1, 0.7);
await compare('kv.update, one shared key, 16 callers/node vs raw (one transaction per write)', 'memex-update', 'raw-update', 16, 3);
await compare('kv.set, distinct keys, 16 callers/node vs raw upsert', 'memex-set', 'raw-set', 16);
await compare('kv.get, distinct keys, 16 callers/node vs raw select', 'memex-get', 'raw-get', 16);

// Lost updates: the unlocked read-then-upsert LangGraph.js's PostgresStore does, counted.
const lostSchema = await freshSchema('bench_lost');
const naive = await phase('naive-update', lostSchema, 4);
const stored = Number((await admin(`SELECT v FROM "${lostSchema}".raw_kv WHERE k = 'hot'`))[0]!.v);
const acked = naive.results.reduce((n, r) => n + r.ops, 0);
const memexLost = await freshSchema('bench_lost_memex');
const mu = await phase('memex-update', memexLost, 4);
const mAcked = mu.results.reduce((n, r) => n + r.ops, 0);
const { openMemex } = await import('../src/index.js');
const mx = await openMemex({ url: URL_, schema: memexLost });
const mStored = (await mx.kv.get<number>('hot')) ?? 0;
await mx.close();

const version = (await admin('SHOW server_version'))[0]!.server_version as string;
for (const s of ['bench_memex_update', 'bench_memex_set', 'bench_memex_get', 'bench_lost', 'bench_lost_memex'])
  await admin(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
const out = [
  `### Fleet mode (PostgreSQL) — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL ${version} on the same machine, ` +
    `${NODES} node processes, ${MS / 1000} s per phase. Command: \`npx tsx bench/pg.ts${QUICK ? ' --quick' : ''}\`.`,
  '',
  '| scenario | Memex ops/s | raw pg ops/s | ratio | target | errors |',
  '|---|---:|---:|---:|---|---:|',
  ...rows,
  '',
  `Lost updates on one key, ${NODES} nodes x 4 callers: the unlocked read-then-upsert (LangGraph.js PostgresStore's put) acknowledged ${f(acked)} increments and stored ${f(stored)} — **${f(acked - stored)} lost**; ` +
    `Memex's kv.update acknowledged ${f(mAcked)} and stored ${f(mStored)} — **${f(mAcked - mStored)} lost**.`,
];
process.stdout.write(`${out.join('\n')}\n`);
