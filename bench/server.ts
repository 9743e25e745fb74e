/**
 * Server benchmarks (issue 9), measured side by side in one run and reported as ratios:
 *   1. kv.get and kv.set over HTTP (autocannon, loopback, keep-alive, 64 connections) against a
 *      bare Fastify route answering the same JSON: the framework's own limit.
 *   2. kv.update on one contended key from 4 client processes through the server (a
 *      compare-and-set loop), and kv.patch's increment (a client's concurrent patches batched), against 4 processes
 *      calling update on the embedded store.
 *   3. vectors.search over HTTP (20k x 384) against the embedded call: the latency added per query.
 *
 *   npx tsx bench/server.ts           # 5 s per load phase
 *   npx tsx bench/server.ts --quick   # 2 s
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openMemex } from '../src/index.js';

const QUICK = process.argv.includes('--quick');
const SECONDS = QUICK ? 2 : 5;
const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'memex-bench-server-'));
const kids: ChildProcess[] = [];

/** Starts a child and resolves the first stdout line matching `re`. */
function child(args: string[], re: RegExp, stream: 'stdout' | 'stderr' = 'stdout'): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  kids.push(proc);
  return new Promise((resolve, reject) => {
    createInterface({ input: proc[stream] }).on('line', (line) => {
      const m = re.exec(line);
      if (m) resolve({ proc, line: m[1] ?? line });
    });
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

async function load(url: string, path: string, body: object): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const r = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections: 64,
    duration: SECONDS,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

let updateErrors = 0;
const errorKinds: Record<string, number> = {};
async function contended(target: string, mode: 'update' | 'patch' = 'update'): Promise<number> {
  const MS = SECONDS * 1000;
  const procs = await Promise.all(Array.from({ length: 4 }, () => child([CHILD, mode, target, '16', String(MS)], /^(ready)$/)));
  const done = procs.map(
    ({ proc }) =>
      new Promise<number>((resolve) => {
        createInterface({ input: proc.stdout! }).on('line', (l) => {
          if (!l.startsWith('{')) return;
          const r = JSON.parse(l) as { ops: number; errors: number; kinds: Record<string, number> };
          updateErrors += r.errors;
          for (const [k, n] of Object.entries(r.kinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
          resolve(r.ops);
        });
      }),
  );
  for (const { proc } of procs) proc.stdin!.end('go\n');
  return (await Promise.all(done)).reduce((a, b) => a + b, 0) / SECONDS;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
try {
  // 1. kv.get / kv.set against the bare route.
  const dbPath = join(dir, 'memex.db');
  const server = await child(
    [CLI, 'serve', '--path', dbPath, '--port', '0', '--log-level', 'warn', '--rate-limit', '1000000000'],
    / at (http:\S+) /,
    'stderr',
  );
  const bare = await child([CHILD, 'bare'], /^(http:\S+)$/);
  const url = server.line;
  const value = { name: 'Ada', languages: ['python', 'typescript'], visits: 42 };
  await fetch(`${url}/v1/kv/set`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ns: 'bench', key: 'user', value }),
  });
  const rows: string[] = [];
  const bareGet = await load(bare.line, '/v1/kv/get', { ns: 'bench', key: 'user' });
  const get = await load(url, '/v1/kv/get', { ns: 'bench', key: 'user' });
  const set = await load(url, '/v1/kv/set', { ns: 'bench', key: 'user', value });
  const bareAgain = await load(bare.line, '/v1/kv/get', { ns: 'bench', key: 'user' });
  const bareRps = (bareGet.rps + bareAgain.rps) / 2;
  rows.push(`| bare Fastify route (same JSON) | ${fmt(bareRps)} | ${bareGet.p50} | ${bareGet.p99} | 1.00x | ${bareGet.errors + bareAgain.errors} |`);
  rows.push(`| memex kv.get | ${fmt(get.rps)} | ${get.p50} | ${get.p99} | ${(get.rps / bareRps).toFixed(2)}x | ${get.errors} |`);
  rows.push(`| memex kv.set (durability full) | ${fmt(set.rps)} | ${set.p50} | ${set.p99} | ${(set.rps / bareRps).toFixed(2)}x | ${set.errors} |`);

  // 2. kv.update on one key from 4 processes x 16 callers: through the server vs embedded.
  const embeddedPath = join(dir, 'embedded.db');
  await (await openMemex({ path: embeddedPath, durability: 'normal' })).close();
  const embedded = await contended(embeddedPath);
  const normalServer = await child(
    [CLI, 'serve', '--path', join(dir, 'normal.db'), '--durability', 'normal', '--port', '0', '--log-level', 'warn', '--rate-limit', '1000000000'],
    / at (http:\S+) /,
    'stderr',
  );
  const remote = await contended(normalServer.line);
  const remotePatch = await contended(normalServer.line, 'patch');
  const embedded2 = await contended(embeddedPath);

  // 3. vectors.search, 20k x 384: remote vs embedded latency per query.
  const vecPath = join(dir, 'vectors.db');
  const mx = await openMemex({ path: vecPath, durability: 'normal' });
  const v = mx.scope('bench').vectors;
  const rnd = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const r = rnd(7);
  const vec = () => Float32Array.from({ length: 384 }, r);
  for (let b = 0; b < 20; b++) await v.upsert(Array.from({ length: 1000 }, (_, i) => ({ id: `d${b * 1000 + i}`, vector: vec(), metadata: { i } })));
  await v.waitForIndex();
  const queries = Array.from({ length: 300 }, vec);
  const time = async (search: (q: Float32Array) => Promise<unknown>) => {
    for (const q of queries.slice(0, 30)) await search(q); // warm up (the graph loads)
    const ms: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await search(q);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { mean: ms.reduce((a, b) => a + b, 0) / ms.length, p50: ms[Math.floor(ms.length / 2)]!, p99: ms[Math.floor(ms.length * 0.99)]! };
  };
  const local = await time((q) => v.search({ vector: q, topK: 10 }));
  await mx.close();
  const vecServer = await child(
    [CLI, 'serve', '--path', vecPath, '--port', '0', '--log-level', 'warn', '--rate-limit', '1000000000'],
    / at (http:\S+) /,
    'stderr',
  );
  const client = await openMemex({ url: vecServer.line });
  const rv = client.scope('bench').vectors;
  const remoteSearch = await time((q) => rv.search({ vector: q, topK: 10 }));
  await client.close();

  process.stdout.write(
    [
      `Server benchmarks — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${SECONDS} s per load phase, autocannon 64 connections keep-alive on loopback`,
      '',
      '| HTTP | req/s | p50 ms | p99 ms | vs bare | errors |',
      '|---|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      '| kv.update, one key, 4 processes x 16 callers | ops/s | vs embedded |',
      '|---|---:|---:|',
      `| embedded (SQLite file, durability normal), mean of 2 runs | ${fmt((embedded + embedded2) / 2)} | 1.00x |`,
      `| through memex serve (durability normal): update, a compare-and-set loop | ${fmt(remote)} | ${(remote / ((embedded + embedded2) / 2)).toFixed(2)}x |`,
      `| through memex serve (durability normal): patch increment (a client's concurrent patches go in one kv.patchBatch request) | ${fmt(remotePatch)} | ${(remotePatch / ((embedded + embedded2) / 2)).toFixed(2)}x |`,
      `(failed updates, all variants: ${updateErrors}${updateErrors ? ` — ${JSON.stringify(errorKinds)}` : ''})`,
      '',
      '| vectors.search topK 10, 20k x 384 | mean ms | p50 ms | p99 ms |',
      '|---|---:|---:|---:|',
      `| embedded | ${local.mean.toFixed(2)} | ${local.p50.toFixed(2)} | ${local.p99.toFixed(2)} |`,
      `| remote client over HTTP | ${remoteSearch.mean.toFixed(2)} | ${remoteSearch.p50.toFixed(2)} | ${remoteSearch.p99.toFixed(2)} |`,
      `| added per query | ${(remoteSearch.mean - local.mean).toFixed(2)} | ${(remoteSearch.p50 - local.p50).toFixed(2)} | |`,
      '',
    ].join('\n'),
  );
} finally {
  for (const k of kids) k.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
