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
import { parseArgs } from 'node:util';
import { LRUCache } from 'lru-cache';
import { aggregate, type PhaseLike, type VariantResult } from './lib/aggregate.js';
import { benchEnv, packageVersion } from './lib/env.js';
import { errors, int, ms, ratio, table } from './lib/format.js';
import { runChildren, type ChildSpec } from './lib/phase.js';
import { checkThreads, openCache, openKeyv, setupCacheFile, setupConversations, type ThreadsCheck } from './lib/stores-fixtures.js';
import type { CacheConfig, CacheEngine, ConversationsConfig, KeyKind, StampedeConfig, StoresChildConfig, StoresChildReport } from './lib/stores-protocol.js';
import { cliHelpers } from './lib/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHILD = fileURLToPath(new URL('./stores-child.ts', import.meta.url));
const SCENARIOS = ['conversations', 'cache', 'stampede'] as const;
type ScenarioKey = (typeof SCENARIOS)[number];
const ALIASES: Record<string, ScenarioKey> = { '1': 'conversations', conv: 'conversations', '2': 'cache', '3': 'stampede' };
const ENGINES: readonly CacheEngine[] = ['memex', 'lru', 'keyv'];

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


function parseCli() {
  try {
    return parseArgs({
      options: {
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
      strict: true,
    }).values;
  } catch (e) {
    return usageError((e as Error).message);
  }
}
const args = parseCli();
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

const seconds = args.seconds !== undefined ? Number(args.seconds) : args.quick ? 1 : 3;
if (!(seconds > 0)) usageError('--seconds must be a positive number');
const durationMs = Math.round(seconds * 1000);
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

// Targets of issue 3.
const APPENDS_TARGET = 20_000;
const HITS_TARGET = 200_000;
const UNTRIMMED = 1_000_000;

const env = benchEnv(ROOT, process.argv.slice(2), 'bench/stores.ts');
const t0 = performance.now();
let phaseNo = 0;
const progress = (line: string) => process.stderr.write(`[${++phaseNo}] ${line}\n`);
const tempDir = () => mkdtempSync(join(tmpdir(), 'memex-bench-'));
const child = (config: StoresChildConfig): ChildSpec => ({ script: CHILD, config, name: `${config.index} (${config.kind}${'engine' in config ? ` ${config.engine}` : ''})` });

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

interface ConvResult {
  readonly v: VariantResult<ConversationsConfig>;
  /** `conversations` store counters summed over the rounds (appends, trimmed, …). */
  readonly store: Record<string, number>;
  /** append: the threads' check, over all rounds. */
  readonly check?: { readonly appended: number; readonly ok: boolean; readonly detail: string };
}
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
        const config: ConversationsConfig = { kind: 'conversations', op: x.op, path, index: 0, callers: x.callers, durationMs, threads, maxMessagesPerThread: x.max, recentLimit: 10 };
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
const cacheKeyId = (keys: KeyKind, op: 'hit' | 'miss', engine: CacheEngine) => `${keys}.${op}.${engine}`;
interface Coherence {
  readonly engine: CacheEngine;
  readonly before: unknown;
  readonly after: unknown;
  readonly sees: boolean;
}
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
      ENGINES.map((engine, index) => child({ kind: 'coherence-writer', engine, path: paths[engine], index, durationMs: 0, key, value: 'written by another process' })),
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

interface StampedeRound {
  readonly engine: 'memex' | 'lru';
  readonly reports: StoresChildReport[];
  readonly computes: number;
  /** Distinct values the callers got, over all processes. */
  readonly distinctValues: number;
  readonly acknowledged: number;
  /** Per caller: resolve time minus the end of the compute it waited for (its own process's, else the round's). */
  readonly pastComputeEndMs: number[];
  readonly lastPastComputeEndMs: number;
  readonly computeMs: number[];
}
const stampedes: StampedeRound[] = [];

async function runStampede(): Promise<void> {
  const plan: ('memex' | 'lru')[] = [...Array.from({ length: stampedeRounds }, () => 'memex' as const), 'lru'];
  for (const [round, engine] of plan.entries()) {
    const dir = tempDir();
    const path = join(dir, 'stampede.db');
    try {
      if (engine === 'memex') await (await openCache(path, 10_000)).close();
      const key = `stampede:${round}`;
      const configs: StampedeConfig[] = Array.from({ length: stampedeProcs }, (_, index) => ({ kind: 'stampede', engine, path, index, durationMs: 0, callers: stampedeCallers, key, computeMs }));
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
      progress(`stampede ${engine} round ${round + 1}: ${st.computes} computes, ${st.acknowledged} callers resolved, last ${ms(st.lastPastComputeEndMs)} ms after the compute's end`);
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
// Targets

interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  readonly miss: string;
}
const targets: Target[] = [];
function minTarget(name: string, measured: number | undefined, min: number, unit: string): void {
  if (measured === undefined) return;
  const met = measured >= min;
  const miss = met ? '' : `${((1 - measured / min) * 100).toFixed(0)}% short: needs ${(min / measured).toFixed(2)}x the measured throughput`;
  targets.push({ name, target: `>= ${int(min)} ${unit}`, measured: `${int(measured)} ${unit}`, met, miss });
}
minTarget("1. `conversations.append` with trimming, 'normal', 1 caller", conv.get('append1')?.v.opsPerSec, APPENDS_TARGET, 'appends/s');
minTarget(`1. \`conversations.append\` with trimming, 'normal', ${callers} callers`, conv.get(`append${callers}`)?.v.opsPerSec, APPENDS_TARGET, 'appends/s');
minTarget('2. `cache.get` hits, string keys', cacheResults.get(cacheKeyId('string', 'hit', 'memex'))?.opsPerSec, HITS_TARGET, 'hits/s');
minTarget('2. `cache.get` hits, JSON-object keys', cacheResults.get(cacheKeyId('json', 'hit', 'memex'))?.opsPerSec, HITS_TARGET, 'hits/s');
const memexStampedes = stampedes.filter((s) => s.engine === 'memex');
if (memexStampedes.length > 0) {
  const counts = memexStampedes.map((s) => s.computes);
  const met = counts.every((n) => n === 1);
  targets.push({
    name: `3. computes in a \`getOrSet\` stampede, ${stampedeProcs} processes x ${stampedeCallers} callers`,
    target: '1 per stampede',
    measured: counts.join(', '),
    met,
    miss: met ? '' : `${counts.filter((n) => n !== 1).length} of ${counts.length} stampedes ran more than one compute`,
  });
}

// ---------------------------------------------------------------------------------------------
// Report

const yes = (b: boolean) => (b ? 'met' : '**missed**');
const us = (x: number) => (x * 1000).toPrecision(3);
const sections: string[] = [];
const dur = `${seconds} s per phase${rounds > 1 ? `, ${rounds} interleaved rounds` : ''}`;

if (conv.size > 0) {
  const rows = [...conv.values()].map(({ v, store, check }) => {
    const m = v.memex;
    return [
      v.label,
      int(v.opsPerSec),
      us(v.latency.p50Ms),
      ms(v.latency.p99Ms),
      ms(v.latency.maxMs),
      errors(v.errors),
      m && m.writes > 0 ? `${int(m.writes)} / ${int(m.commits)} (${m.writesPerCommit.toFixed(1)})` : '—',
      store.trimmed === undefined ? '—' : int(store.trimmed),
      check ? (check.ok ? `${int(check.appended)} ok` : `**FAILED** ${check.detail}`) : '—',
    ];
  });
  const r = (id: string) => conv.get(id)?.v.opsPerSec;
  const line = (label: string, a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? `- ${label}: **${ratio(a / b)}**` : undefined);
  sections.push(
    [
      '### 1. Conversations: `append` with trimming, and `recent`',
      '',
      `1 process, durability 'normal', maxMessagesPerThread ${maxMessages}; ${threads} threads filled with ${maxMessages} messages each before the phase (untimed), so every append trims the thread's oldest message. Calls rotate over the threads (call i goes to thread i mod ${threads}); messages ~270 bytes. ${dur}.`,
      '',
      table(['variant', 'ops/s', 'p50 µs', 'p99 ms', 'max ms', 'errors', 'writes / commits (per commit)', 'messages trimmed', 'appended = acknowledged, threads intact'], rows),
      '',
      ...[
        line(`${callers} callers / 1 caller`, r(`append${callers}`), r('append1')),
        line('trimming / no trimming (1 caller)', r('append1'), r('appendNoTrim')),
        line('`recent(10)` reads / appends (1 caller)', r('recent'), r('append1')),
      ].filter((l) => l !== undefined),
      `- target: >= ${int(APPENDS_TARGET)} appends/s with 'normal': ${[
        ['1 caller', r('append1')],
        [`${callers} callers`, r(`append${callers}`)],
      ]
        .filter(([, x]) => x !== undefined)
        .map(([label, x]) => `${label} ${int(x as number)}/s — ${yes((x as number) >= APPENDS_TARGET)}`)
        .join('; ')}`,
    ].join('\n'),
  );
}

if (cacheResults.size > 0) {
  const label: Record<CacheEngine, string> = {
    memex: 'memex `cache.get` (1 caller awaiting each get)',
    lru: 'lru-cache `get` (synchronous, process-local)',
    keyv: 'Keyv + @keyv/sqlite `get` (1 caller awaiting each get)',
  };
  const rows: string[][] = [];
  const ratios: string[][] = [];
  const costs: string[] = [];
  for (const keys of keyKinds) {
    for (const op of ['hit', 'miss'] as const) {
      const g = (e: CacheEngine) => cacheResults.get(cacheKeyId(keys, op, e));
      for (const e of ENGINES) {
        const v = g(e);
        if (v) rows.push([keys, op === 'hit' ? 'hits' : 'misses', label[e], int(v.opsPerSec), us(v.latency.p50Ms), us(v.latency.p99Ms), ms(v.latency.maxMs), errors(v.errors)]);
      }
      const m = g('memex');
      const l = g('lru');
      const k = g('keyv');
      if (m && l && k) {
        ratios.push([keys, op === 'hit' ? 'hits' : 'misses', ratio(m.opsPerSec / l.opsPerSec), ratio(m.opsPerSec / k.opsPerSec), ratio(l.opsPerSec / k.opsPerSec)]);
        // Time per get = 1 / throughput (one caller, so this is the mean latency as the caller sees it).
        const per = (v: VariantResult<CacheConfig>) => 1e6 / v.opsPerSec;
        if (op === 'hit') {
          costs.push(
            `- ${keys} keys: a hit takes ${per(m).toFixed(2)} µs in Memex (reads the shared file), ${per(l).toFixed(2)} µs in lru-cache (process-local), ${per(k).toFixed(1)} µs in Keyv SQLite (reads the shared file): coherence costs Memex ${(per(m) - per(l)).toFixed(2)} µs per hit over a process-local cache`,
          );
        }
      }
    }
  }
  const hitT = keyKinds.map((k) => {
    const v = cacheResults.get(cacheKeyId(k, 'hit', 'memex'));
    return v ? `${k} keys ${int(v.opsPerSec)}/s — ${yes(v.opsPerSec >= HITS_TARGET)}` : undefined;
  });
  const lruTouches = "Memex's hits also queue their LRU recency, written in batches (every 1,000 hits or 1 s) inside the measured time.";
  sections.push(
    [
      '### 2. Cache: hits and misses against lru-cache and Keyv (SQLite)',
      '',
      `1 process per phase. Warm set: ${int(warmKeys)} string keys (\`prompt:<i>\`) and ${int(warmKeys)} JSON-object keys (\`{ model, temperature, prompt, maxTokens }\`, a fresh object per call), values ~330 bytes of JSON; hits draw keys at random from the warm set, misses ask for keys never stored. Memex: \`openMemex({ durability: 'normal', cache: { maxEntries: ${maxEntries} } })\` on a file set up before the phases; its JSON keys are hashed canonically (SHA-256 of sorted-key JSON). lru-cache: \`new LRUCache({ max: ${maxEntries} })\` filled by the measuring process itself; Keyv: \`new Keyv({ store: new KeyvSqlite('sqlite://<file>') })\` on a shared file set up before the phases, @keyv/sqlite defaults (rollback journal, queries on sqlite3's thread pool). lru-cache and Keyv take string keys, so JSON keys are \`JSON.stringify\`-ed (key order matters there). Every get is checked to be a hit or a miss as intended (a wrong one counts as an error). ${dur}. ${lruTouches}`,
      '',
      table(['keys', 'op', 'variant', 'gets/s', 'p50 µs', 'p99 µs', 'max ms', 'errors'], rows),
      '',
      'Ratios (gets/s):',
      '',
      table(['keys', 'op', 'memex / lru-cache', 'memex / Keyv SQLite', 'lru-cache / Keyv SQLite'], ratios),
      '',
      `- target: >= ${int(HITS_TARGET)} hits/s for Memex: ${hitT.filter((x) => x !== undefined).join('; ')}`,
      '',
      ...(costs.length > 0 ? ['What coherence costs (time per get = 1 / gets per second, 1 caller):', '', ...costs, ''] : []),
      'Coherence across processes (this process reads a key, another process writes a new value, this process reads again):',
      '',
      table(
        ['engine', 'where the entries live', 'first read', 'read after the other process wrote'],
        coherence.map((c) => [
          c.engine === 'memex' ? 'memex' : c.engine === 'lru' ? 'lru-cache' : 'Keyv + @keyv/sqlite',
          c.engine === 'lru' ? 'this process\'s heap (each process has its own copy)' : 'the shared SQLite file, read on every get',
          JSON.stringify(c.before),
          `${JSON.stringify(c.after)} — ${c.sees ? 'sees the other process\'s write' : '**stale**: does not see it'}`,
        ]),
      ),
    ].join('\n'),
  );
}

function exact(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

if (stampedes.length > 0) {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const engine of ['memex', 'lru'] as const) {
    const rs = stampedes.filter((s) => s.engine === engine);
    if (rs.length === 0) continue;
    const lat = rs.flatMap((s) => s.reports.flatMap((r) => r.stampede?.latenciesMs ?? []));
    const past = rs.flatMap((s) => s.pastComputeEndMs);
    const errs: Record<string, number> = {};
    for (const r of rs.flatMap((s) => s.reports)) for (const [c, n] of Object.entries(r.errors)) errs[c] = (errs[c] ?? 0) + n;
    const total = stampedeProcs * stampedeCallers;
    rows.push([
      engine === 'memex' ? 'memex `cache.getOrSet`' : 'lru-cache `fetch()` with `fetchMethod` (single flight per process)',
      String(rs.length),
      rs.map((s) => s.computes).join(', '),
      rs.map((s) => `${s.acknowledged}/${total}`).join(', '),
      rs.map((s) => s.distinctValues).join(', '),
      errors(errs),
      ms(exact(lat, 0.5)),
      ms(exact(lat, 0.99)),
      ms(Math.max(...lat)),
      `${ms(exact(past, 0.5))} / ${ms(exact(past, 0.99))} / ${ms(Math.max(...past))}`,
      rs.map((s) => ms(s.lastPastComputeEndMs)).join(', '),
    ]);
    if (engine === 'memex') {
      const sum = (store: string, k: string) => rs.reduce((n, s) => n + s.reports.reduce((m, r) => m + (r.stores?.[store]?.[k] ?? 0), 0), 0);
      notes.push(`- memex \`cache.stats()\` summed over processes and rounds: ${sum('cache', 'computes')} computes, ${sum('cache', 'waits')} waits, ${sum('cache', 'misses')} misses, ${sum('cache', 'hits')} hits`);
      notes.push(
        `- memex compute lease (\`locks\` store, lock \`cache:<key>\`): ${sum('locks', 'acquisitions')} acquisitions, ${sum('locks', 'waits')} waits (${int(sum('locks', 'totalWaitMs'))} ms waited in all); SQLite write-lock waits: ${int(rs.reduce((n, s) => n + s.reports.reduce((m, r) => m + (r.memex?.lock.waits ?? 0), 0), 0))}`,
      );
    }
    const cm = rs.flatMap((s) => s.computeMs);
    notes.push(`- ${engine}: compute durations ${ms(Math.min(...cm))}-${ms(Math.max(...cm))} ms (asked for ${computeMs} ms)`);
  }
  sections.push(
    [
      '### 3. `getOrSet` stampede: one missing key, many processes',
      '',
      `${stampedeProcs} processes x ${stampedeCallers} callers, released together (ready/go), all ask for one key that no one has; its compute sleeps ${computeMs} ms. Memex: ${stampedeRounds} round${stampedeRounds === 1 ? '' : 's'}, each on a fresh file and key; lru-cache: 1 round (nothing is shared between its processes). Latency is from each call to its resolve, in the caller's process. "After the compute's end" is each caller's resolve time minus the end of the compute it waited for (its own process's compute if that process ran one, else the round's), on the machine clock (\`performance.timeOrigin + performance.now()\`; processes agree to about a millisecond).`,
      '',
      table(
        ['variant', 'rounds', 'computes per round', 'callers resolved', 'distinct values per round', 'errors', 'p50 ms', 'p99 ms', 'max ms', 'after the compute\'s end: p50 / p99 / max ms', 'last caller after the compute\'s end, per round (ms)'],
        rows,
      ),
      '',
      ...notes,
      memexStampedes.length > 0 ? `- target: exactly 1 compute per stampede: ${memexStampedes.map((s) => s.computes).join(', ')} — ${yes(memexStampedes.every((s) => s.computes === 1))}` : '',
    ].join('\n'),
  );
}

const md = [
  `## Stores benchmarks (${env.date.slice(0, 10)})`,
  '',
  `- date: ${env.date}`,
  `- command: \`${env.command}\` (${int(totalSeconds)} s wall, ${phaseNo} phases)`,
  `- machine: ${env.nproc} cores, ${env.cpu}, ${env.ramGiB} GiB RAM, ${env.platform}; 1-min load average ${env.loadAvgStart} at start, ${loadAvgEnd} at end`,
  `- Node ${env.node}, better-sqlite3 ${env.betterSqlite3}, SQLite ${env.sqlite}; lru-cache ${packageVersion('lru-cache')}; keyv ${packageVersion('keyv')}, @keyv/sqlite ${packageVersion('@keyv/sqlite')}, sqlite3 ${packageVersion('sqlite3')} (built from source)`,
  `- commit (HEAD, working tree may differ): ${env.commit ?? 'unknown'}`,
  '',
  '### Targets',
  '',
  targets.length === 0 ? '(no target measured in this run)' : table(['target', 'wanted', 'measured', 'status', 'missed by'], targets.map((t) => [t.name, t.target, t.measured, yes(t.met), t.miss || '—'])),
  '',
  sections.join('\n\n'),
  '',
].join('\n');

process.stdout.write(md);
mkdirSync(args.out, { recursive: true });
const stamp = env.date.replace(/[:.]/g, '-');
const json = {
  env,
  versions: { lruCache: packageVersion('lru-cache'), keyv: packageVersion('keyv'), keyvSqlite: packageVersion('@keyv/sqlite'), sqlite3: packageVersion('sqlite3') },
  options: { seconds, rounds, only, threads, maxMessages, callers, keyKinds, warmKeys, maxEntries, stampedeProcs, stampedeCallers, computeMs, stampedeRounds },
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
const broken = [...conv.values()].some((c) => c.check && !c.check.ok) || memexStampedes.some((s) => s.computes !== 1 || s.distinctValues !== 1);
if (broken) process.exitCode = 1;
