/**
 * Stores benchmarks (issue 3): conversation appends with trimming and `recent` reads; cache hits
 * and misses against lru-cache (process-local) and Keyv with its SQLite adapter (a shared file);
 * a `getOrSet` stampede over several processes. Measured side by side in one run, as ratios.
 *
 *   npx tsx bench/stores.ts              # full run (~1.5-2 min on 2 cores)
 *   npx tsx bench/stores.ts --quick      # 1 s per phase, 1 stampede round
 *   npx tsx bench/stores.ts --only cache --keys json
 *   npx tsx bench/stores.ts --help
 *
 * Prints a Markdown section on stdout (progress goes to stderr) and writes the same Markdown and
 * the full JSON (per-process reports, latency histograms) to bench/results/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LRUCache } from 'lru-cache';
import { aggregate, type PhaseLike, type VariantResult } from './lib/aggregate.js';
import { benchEnv, packageVersion } from './lib/env.js';
import { int, ms } from './lib/format.js';
import { runChildren, type ChildSpec } from './lib/phase.js';
import { checkThreads, openCache, openKeyv, setupCacheFile, setupConversations, type ThreadsCheck } from './lib/stores-fixtures.js';
import type {
  CacheConfig,
  CacheEngine,
  ConversationsConfig,
  KeyKind,
  StampedeConfig,
  StoresChildConfig,
  StoresChildReport,
} from './lib/stores-protocol.js';
import { cacheKeyId, ENGINES, report, storesTargets, type Coherence, type ConvResult, type StampedeRound } from './lib/stores-report.js';
import { cliHelpers, parseOptions } from './lib/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./stores-child.ts', import.meta.url));
const SCENARIOS = ['conversations', 'cache', 'stampede'] as const;
type ScenarioKey = (typeof SCENARIOS)[number];
const ALIASES: Record<string, ScenarioKey> = { '1': 'conversations', conv: 'conversations', '2': 'cache', '3': 'stampede' };

const HELP = `Usage: npx tsx bench/stores.ts [options]

  --quick                  1 s per phase instead of 3 s, 1 stampede round instead of 3
  --seconds <n>            seconds per throughput phase (overrides --quick)
  --only <list>            scenarios, comma-separated: ${SCENARIOS.join(', ')} (aliases 1, 2, 3, conv)
  --rounds <n>             run the conversations and cache phases n times, interleaved ABC CBA …,
                           and merge the rounds (default 1)
  --threads <n>            conversation threads the appends and reads rotate over (default 8)
  --max-messages <n>       maxMessagesPerThread; threads are filled to it first (default 100)
  --callers <n>            concurrent append callers in the second append phase (default 16)
  --keys <list>            cache key kinds: string, json (default both)
  --warm-keys <n>          keys of each kind in the warm set (default 1000)
  --max-entries <n>        memex cache.maxEntries and lru-cache max (default 10000)
  --stampede-procs <n>     processes of the stampede (default 8)
  --stampede-callers <n>   callers per stampede process (default 20)
  --compute-ms <n>         how long the stampede's compute takes (default 200)
  --stampede-rounds <n>    memex stampede rounds, each on a fresh file and key (default 3; 1 with --quick)
  --out <dir>              where the JSON and Markdown go (default bench/results)
  --help
`;

const cli = cliHelpers(HELP);
/** A declared function, so the compiler knows it never returns. */
function usageError(message: string): never {
  return cli.usageError(message);
}
const { list, posInt, oneOf } = cli;

const args = parseOptions(
  {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    threads: { type: 'string', default: '8' },
    'max-messages': { type: 'string', default: '100' },
    callers: { type: 'string', default: '16' },
    keys: { type: 'string', default: 'string,json' },
    'warm-keys': { type: 'string', default: '1000' },
    'max-entries': { type: 'string', default: '10000' },
    'stampede-procs': { type: 'string', default: '8' },
    'stampede-callers': { type: 'string', default: '20' },
    'compute-ms': { type: 'string', default: '200' },
    'stampede-rounds': { type: 'string' },
    out: { type: 'string', default: fileURLToPath(new URL('./results', import.meta.url)) },
    help: { type: 'boolean', default: false },
  },
  cli.usageError,
);

cli.exitOnHelp(args.help);
const durationMs = cli.phaseMs(args.seconds, args.quick);
const seconds = durationMs / 1000;
const only = args.only === undefined ? [...SCENARIOS] : list(args.only).map((s) => ALIASES[s] ?? oneOf('only', SCENARIOS, s));
const rounds = posInt('rounds', args.rounds);
const threads = posInt('threads', args.threads);
const maxMessages = posInt('max-messages', args['max-messages']);
const callers = posInt('callers', args.callers);
const keyKinds = list(args.keys).map((k) => oneOf<KeyKind>('keys', ['string', 'json'], k));
const warmKeys = posInt('warm-keys', args['warm-keys']);
const maxEntries = posInt('max-entries', args['max-entries']);
if (warmKeys * 2 > maxEntries) usageError(`--max-entries (${maxEntries}) must hold both warm sets (2 x ${warmKeys}), or hits would be evicted`);
const stampedeProcs = posInt('stampede-procs', args['stampede-procs']);
const stampedeCallers = posInt('stampede-callers', args['stampede-callers']);
const computeMs = posInt('compute-ms', args['compute-ms']);
const stampedeRounds = posInt('stampede-rounds', args['stampede-rounds'] ?? (args.quick ? '1' : '3'));

// maxMessagesPerThread of the no-trimming variant (high enough that its appends trim nothing).
const UNTRIMMED = 1_000_000;

const env = benchEnv(ROOT, process.argv.slice(2), 'bench/stores.ts');
const t0 = performance.now();
let phaseNo = 0;
const progress = (line: string) => process.stderr.write(`[${++phaseNo}] ${line}\n`);
const tempDir = () => mkdtempSync(join(tmpdir(), 'memex-bench-'));
const child = (config: StoresChildConfig): ChildSpec => ({
  script: CHILD,
  config,
  name: `${config.index} (${config.kind}${'engine' in config ? ` ${config.engine}` : ''})`,
});

/** One single-process phase; its result is aggregated with the other rounds of its variant. */
async function phase<S extends StoresChildConfig>(config: S): Promise<PhaseLike<S> & { reports: StoresChildReport[] }> {
  const reports = await runChildren<StoresChildReport>([child(config)], config.durationMs);
  return { spec: config, reports, wallMs: Math.max(...reports.map((r) => r.elapsedMs)) };
}
const rate = (p: PhaseLike<unknown>) => int(p.reports.reduce((n, r) => n + r.ops, 0) / (p.wallMs / 1000));
/** Round r runs the variants in order, odd rounds in reverse (ABC CBA …), so a drifting load biases none. */
const inRoundOrder = <T>(xs: readonly T[], round: number): readonly T[] => (round % 2 === 0 ? xs : [...xs].reverse());

// ---------------------------------------------------------------------------------------------
// 1. Conversations

const conv = new Map<string, ConvResult>();

async function runConversations(): Promise<void> {
  const variants: { id: string; label: string; op: 'append' | 'recent'; callers: number; max: number }[] = [
    { id: 'append1', label: '`append`, 1 caller, trimming', op: 'append', callers: 1, max: maxMessages },
    { id: `append${callers}`, label: `\`append\`, ${callers} concurrent callers, trimming`, op: 'append', callers, max: maxMessages },
    { id: 'appendNoTrim', label: '`append`, 1 caller, no trimming (maxMessagesPerThread 1,000,000)', op: 'append', callers: 1, max: UNTRIMMED },
    { id: 'recent', label: '`recent(threadId, 10)`, 1 caller', op: 'recent', callers: 1, max: maxMessages },
  ];
  const phases = new Map<string, (PhaseLike<ConversationsConfig> & { reports: StoresChildReport[] })[]>();
  const checks = new Map<string, ThreadsCheck[]>();
  for (let round = 0; round < rounds; round++) {
    for (const x of inRoundOrder(variants, round)) {
      const dir = tempDir();
      const path = join(dir, 'conv.db');
      try {
        await setupConversations(path, threads, maxMessages, x.max);
        const config: ConversationsConfig = {
          kind: 'conversations',
          op: x.op,
          path,
          index: 0,
          callers: x.callers,
          durationMs,
          threads,
          maxMessagesPerThread: x.max,
          recentLimit: 10,
        };
        const p = await phase(config);
        phases.set(x.id, [...(phases.get(x.id) ?? []), p]);
        let note = '';
        if (x.op === 'append') {
          const c = await checkThreads(path, threads, maxMessages, x.max);
          // The threads' sequence numbers must account for exactly the acknowledged appends.
          const acked = p.reports.reduce((n, r) => n + r.ops, 0);
          const check = c.appended === acked ? c : { ...c, ok: false, detail: `${c.appended} appended by seq vs ${acked} acknowledged. ${c.detail}` };
          checks.set(x.id, [...(checks.get(x.id) ?? []), check]);
          note = ` check ${check.ok ? 'ok' : `FAILED ${check.detail}`}`;
        }
        progress(`conversations ${x.id}: ${rate(p)} ops/s${note}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  for (const x of variants) {
    const ps = phases.get(x.id) ?? [];
    const store: Record<string, number> = {};
    for (const r of ps.flatMap((p) => p.reports)) for (const [k, n] of Object.entries(r.stores?.conversations ?? {})) store[k] = (store[k] ?? 0) + n;
    const cs = checks.get(x.id);
    const check = cs && {
      appended: cs.reduce((n, c) => n + c.appended, 0),
      ok: cs.every((c) => c.ok),
      detail: cs
        .filter((c) => !c.ok)
        .map((c) => c.detail)
        .join(' | '),
    };
    conv.set(x.id, { v: aggregate(`conv.${x.id}`, x.label, ps), store, ...(check ? { check } : {}) });
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Cache

const cacheResults = new Map<string, VariantResult<CacheConfig>>();
const coherence: Coherence[] = [];

async function runCache(): Promise<void> {
  const dir = tempDir();
  const paths: Record<CacheEngine, string> = { memex: join(dir, 'memex.db'), keyv: join(dir, 'keyv.sqlite'), lru: '' };
  const phases = new Map<string, PhaseLike<CacheConfig>[]>();
  try {
    await setupCacheFile('memex', paths.memex, warmKeys, maxEntries);
    await setupCacheFile('keyv', paths.keyv, warmKeys, maxEntries);
    for (let round = 0; round < rounds; round++) {
      for (const keys of keyKinds) {
        for (const op of ['hit', 'miss'] as const) {
          for (const engine of inRoundOrder(ENGINES, round)) {
            const id = cacheKeyId(keys, op, engine);
            const p = await phase<CacheConfig>({ kind: 'cache', engine, op, keys, path: paths[engine], index: 0, durationMs, warmKeys, maxEntries });
            phases.set(id, [...(phases.get(id) ?? []), p]);
            progress(`cache ${id}: ${rate(p)} gets/s`);
          }
        }
      }
    }
    for (const [id, ps] of phases) cacheResults.set(id, aggregate(id, id, ps));
    await runCoherence(paths);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Coherence probe: this process reads a key (and so caches it, where the engine caches), another
 * process writes a new value, and this process reads again.
 */
async function runCoherence(paths: Record<CacheEngine, string>): Promise<void> {
  const key = 'coherence-probe';
  const mx = await openCache(paths.memex, maxEntries);
  const kv = openKeyv(paths.keyv);
  const lru = new LRUCache<string, string>({ max: maxEntries });
  const readers: Record<CacheEngine, { set: (v: string) => Promise<unknown>; get: () => Promise<unknown> }> = {
    memex: { set: (v) => mx.cache.set(key, v), get: () => mx.cache.get(key) },
    keyv: { set: (v) => kv.set(key, v), get: () => kv.get(key) },
    lru: { set: async (v) => lru.set(key, v), get: async () => lru.get(key) },
  };
  try {
    const before: Partial<Record<CacheEngine, unknown>> = {};
    for (const e of ENGINES) {
      await readers[e].set('written here');
      before[e] = await readers[e].get();
    }
    await runChildren<StoresChildReport>(
      ENGINES.map((engine, index) =>
        child({ kind: 'coherence-writer', engine, path: paths[engine], index, durationMs: 0, key, value: 'written by another process' }),
      ),
      0,
    );
    for (const e of ENGINES) {
      const after = await readers[e].get();
      coherence.push({ engine: e, before: before[e], after, sees: after === 'written by another process' });
    }
    progress(`cache coherence: ${coherence.map((c) => `${c.engine} ${c.sees ? 'sees' : 'does not see'} the other write`).join(', ')}`);
  } finally {
    await mx.close();
    await kv.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Stampede

const stampedes: StampedeRound[] = [];

async function runStampede(): Promise<void> {
  const plan: ('memex' | 'lru')[] = [...Array.from({ length: stampedeRounds }, () => 'memex' as const), 'lru'];
  for (const [round, engine] of plan.entries()) {
    const dir = tempDir();
    const path = join(dir, 'stampede.db');
    try {
      if (engine === 'memex') await (await openCache(path, 10_000)).close();
      const key = `stampede:${round}`;
      const configs: StampedeConfig[] = Array.from({ length: stampedeProcs }, (_, index) => ({
        kind: 'stampede',
        engine,
        path,
        index,
        durationMs: 0,
        callers: stampedeCallers,
        key,
        computeMs,
      }));
      const reports = await runChildren<StoresChildReport>(configs.map(child), computeMs * 10);
      const all = reports.flatMap((r) => r.stampede?.computes ?? []);
      const lastEnd = Math.max(...all.map((c) => c.end));
      const past = reports.flatMap((r) => {
        const s = r.stampede;
        if (!s) return [];
        const own = s.computes.length > 0 ? Math.max(...s.computes.map((c) => c.end)) : lastEnd;
        return s.resolvedAt.map((t) => t - own);
      });
      const st: StampedeRound = {
        engine,
        reports,
        computes: all.length,
        distinctValues: new Set(reports.flatMap((r) => r.stampede?.values ?? [])).size,
        acknowledged: reports.reduce((n, r) => n + r.ops, 0),
        pastComputeEndMs: past,
        lastPastComputeEndMs: Math.max(...past),
        computeMs: all.map((c) => c.end - c.start),
      };
      stampedes.push(st);
      progress(
        `stampede ${engine} round ${round + 1}: ${st.computes} computes, ${st.acknowledged} callers resolved, last ${ms(st.lastPastComputeEndMs)} ms after the compute's end`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Run

process.stderr.write(`stores bench: ${only.join(', ')}; ${seconds} s per phase (${env.nproc} cores, load ${env.loadAvgStart})\n`);
if (only.includes('conversations')) await runConversations();
if (only.includes('cache')) await runCache();
if (only.includes('stampede')) await runStampede();
const totalSeconds = (performance.now() - t0) / 1000;
const loadAvgEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;

// ---------------------------------------------------------------------------------------------
// Report (rendered by lib/stores-report.ts) and results

const results = { conv, cache: cacheResults, coherence, stampedes };
const options = {
  seconds,
  rounds,
  only,
  threads,
  maxMessages,
  callers,
  keyKinds,
  warmKeys,
  maxEntries,
  stampedeProcs,
  stampedeCallers,
  computeMs,
  stampedeRounds,
};
const targets = storesTargets(results, options);
const md = report(results, options, targets, { env, totalSeconds, phases: phaseNo, loadAvgEnd });

process.stdout.write(md);
mkdirSync(args.out, { recursive: true });
const stamp = env.date.replace(/[:.]/g, '-');
const json = {
  env,
  versions: {
    lruCache: packageVersion('lru-cache'),
    keyv: packageVersion('keyv'),
    keyvSqlite: packageVersion('@keyv/sqlite'),
    sqlite3: packageVersion('sqlite3'),
  },
  options,
  totalSeconds,
  loadAvgEnd,
  targets,
  conversations: Object.fromEntries(conv),
  cache: Object.fromEntries(cacheResults),
  coherence,
  stampedes,
};
writeFileSync(`${args.out}/stores-${stamp}.json`, `${JSON.stringify(json, null, 1)}\n`);
writeFileSync(`${args.out}/stores-${stamp}.md`, md);
process.stderr.write(`wrote ${args.out}/stores-${stamp}.json and .md\n`);
const broken =
  [...conv.values()].some((c) => c.check && !c.check.ok) ||
  stampedes.some((s) => s.engine === 'memex' && (s.computes !== 1 || s.distinctValues !== 1));
if (broken) process.exitCode = 1;
