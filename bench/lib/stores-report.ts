/** The Markdown report of bench/stores.ts: target rows, per-scenario tables and notes. */
import type { VariantResult } from './aggregate.js';
import { packageVersion, type BenchEnv } from './env.js';
import { errors, int, ms, quantileOf, ratio, table } from './format.js';
import type { CacheConfig, CacheEngine, ConversationsConfig, KeyKind, StoresChildReport } from './stores-protocol.js';

// Targets of issue 3.
const APPENDS_TARGET = 20_000;
const HITS_TARGET = 200_000;

/** The cache engines, in the order they run and are reported. */
export const ENGINES: readonly CacheEngine[] = ['memex', 'lru', 'keyv'];
/** The id of one cache variant, as phases are stored and looked up. */
export const cacheKeyId = (keys: KeyKind, op: 'hit' | 'miss', engine: CacheEngine): string => `${keys}.${op}.${engine}`;

export interface ConvResult {
  readonly v: VariantResult<ConversationsConfig>;
  /** `conversations` store counters summed over the rounds (appends, trimmed, …). */
  readonly store: Record<string, number>;
  /** append: the threads' check, over all rounds. */
  readonly check?: { readonly appended: number; readonly ok: boolean; readonly detail: string };
}

export interface Coherence {
  readonly engine: CacheEngine;
  readonly before: unknown;
  readonly after: unknown;
  readonly sees: boolean;
}

export interface StampedeRound {
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

/** What the run measured, per scenario (empty where a scenario did not run). */
export interface StoresResults {
  readonly conv: ReadonlyMap<string, ConvResult>;
  readonly cache: ReadonlyMap<string, VariantResult<CacheConfig>>;
  readonly coherence: readonly Coherence[];
  readonly stampedes: readonly StampedeRound[];
}

/** The options of the run the report describes. */
export interface StoresOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly threads: number;
  readonly maxMessages: number;
  readonly callers: number;
  readonly keyKinds: readonly KeyKind[];
  readonly warmKeys: number;
  readonly maxEntries: number;
  readonly stampedeProcs: number;
  readonly stampedeCallers: number;
  readonly computeMs: number;
  readonly stampedeRounds: number;
}

/** The run itself: environment, wall time, phase count, load at the end. */
export interface RunInfo {
  readonly env: BenchEnv;
  readonly totalSeconds: number;
  readonly phases: number;
  readonly loadAvgEnd: number;
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  readonly miss: string;
}

const memexOnly = (stampedes: readonly StampedeRound[]) => stampedes.filter((s) => s.engine === 'memex');

function minTarget(targets: Target[], name: string, measured: number | undefined, min: number, unit: string): void {
  if (measured === undefined) return;
  const met = measured >= min;
  const miss = met ? '' : `${((1 - measured / min) * 100).toFixed(0)}% short: needs ${(min / measured).toFixed(2)}x the measured throughput`;
  targets.push({ name, target: `>= ${int(min)} ${unit}`, measured: `${int(measured)} ${unit}`, met, miss });
}

/** The targets of issue 3 that this run measured, met or missed. */
export function storesTargets(r: StoresResults, o: StoresOptions): Target[] {
  const targets: Target[] = [];
  minTarget(targets, "1. `conversations.append` with trimming, 'normal', 1 caller", r.conv.get('append1')?.v.opsPerSec, APPENDS_TARGET, 'appends/s');
  minTarget(
    targets,
    `1. \`conversations.append\` with trimming, 'normal', ${o.callers} callers`,
    r.conv.get(`append${o.callers}`)?.v.opsPerSec,
    APPENDS_TARGET,
    'appends/s',
  );
  minTarget(targets, '2. `cache.get` hits, string keys', r.cache.get(cacheKeyId('string', 'hit', 'memex'))?.opsPerSec, HITS_TARGET, 'hits/s');
  minTarget(targets, '2. `cache.get` hits, JSON-object keys', r.cache.get(cacheKeyId('json', 'hit', 'memex'))?.opsPerSec, HITS_TARGET, 'hits/s');
  const memexStampedes = memexOnly(r.stampedes);
  if (memexStampedes.length > 0) {
    const counts = memexStampedes.map((s) => s.computes);
    const met = counts.every((n) => n === 1);
    targets.push({
      name: `3. computes in a \`getOrSet\` stampede, ${o.stampedeProcs} processes x ${o.stampedeCallers} callers`,
      target: '1 per stampede',
      measured: counts.join(', '),
      met,
      miss: met ? '' : `${counts.filter((n) => n !== 1).length} of ${counts.length} stampedes ran more than one compute`,
    });
  }
  return targets;
}

const yes = (b: boolean) => (b ? 'met' : '**missed**');
const us = (x: number) => (x * 1000).toPrecision(3);
const duration = (o: StoresOptions) => `${o.seconds} s per phase${o.rounds > 1 ? `, ${o.rounds} interleaved rounds` : ''}`;

function convSection(conv: ReadonlyMap<string, ConvResult>, o: StoresOptions): string {
  const { callers, maxMessages, threads } = o;
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
  const line = (label: string, a: number | undefined, b: number | undefined) =>
    a !== undefined && b !== undefined ? `- ${label}: **${ratio(a / b)}**` : undefined;
  return [
    '### 1. Conversations: `append` with trimming, and `recent`',
    '',
    `1 process, durability 'normal', maxMessagesPerThread ${maxMessages}; ${threads} threads filled with ${maxMessages} messages each before the phase (untimed), so every append trims the thread's oldest message. Calls rotate over the threads (call i goes to thread i mod ${threads}); messages ~270 bytes. ${duration(o)}.`,
    '',
    table(
      [
        'variant',
        'ops/s',
        'p50 µs',
        'p99 ms',
        'max ms',
        'errors',
        'writes / commits (per commit)',
        'messages trimmed',
        'appended = acknowledged, threads intact',
      ],
      rows,
    ),
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
  ].join('\n');
}

function cacheSection(cacheResults: ReadonlyMap<string, VariantResult<CacheConfig>>, coherence: readonly Coherence[], o: StoresOptions): string {
  const { keyKinds, warmKeys, maxEntries } = o;
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
        if (v)
          rows.push([
            keys,
            op === 'hit' ? 'hits' : 'misses',
            label[e],
            int(v.opsPerSec),
            us(v.latency.p50Ms),
            us(v.latency.p99Ms),
            ms(v.latency.maxMs),
            errors(v.errors),
          ]);
      }
      const m = g('memex');
      const l = g('lru');
      const k = g('keyv');
      if (m && l && k) {
        ratios.push([
          keys,
          op === 'hit' ? 'hits' : 'misses',
          ratio(m.opsPerSec / l.opsPerSec),
          ratio(m.opsPerSec / k.opsPerSec),
          ratio(l.opsPerSec / k.opsPerSec),
        ]);
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
  return [
    '### 2. Cache: hits and misses against lru-cache and Keyv (SQLite)',
    '',
    `1 process per phase. Warm set: ${int(warmKeys)} string keys (\`prompt:<i>\`) and ${int(warmKeys)} JSON-object keys (\`{ model, temperature, prompt, maxTokens }\`, a fresh object per call), values ~330 bytes of JSON; hits draw keys at random from the warm set, misses ask for keys never stored. Memex: \`openMemex({ durability: 'normal', cache: { maxEntries: ${maxEntries} } })\` on a file set up before the phases; its JSON keys are hashed canonically (SHA-256 of sorted-key JSON). lru-cache: \`new LRUCache({ max: ${maxEntries} })\` filled by the measuring process itself; Keyv: \`new Keyv({ store: new KeyvSqlite('sqlite://<file>') })\` on a shared file set up before the phases, @keyv/sqlite defaults (rollback journal, queries on sqlite3's thread pool). lru-cache and Keyv take string keys, so JSON keys are \`JSON.stringify\`-ed (key order matters there). Every get is checked to be a hit or a miss as intended (a wrong one counts as an error). ${duration(o)}. ${lruTouches}`,
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
        c.engine === 'lru' ? "this process's heap (each process has its own copy)" : 'the shared SQLite file, read on every get',
        JSON.stringify(c.before),
        `${JSON.stringify(c.after)} — ${c.sees ? "sees the other process's write" : '**stale**: does not see it'}`,
      ]),
    ),
  ].join('\n');
}

function stampedeSection(stampedes: readonly StampedeRound[], o: StoresOptions): string {
  const { stampedeProcs, stampedeCallers, computeMs, stampedeRounds } = o;
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
      ms(quantileOf(lat, 0.5)),
      ms(quantileOf(lat, 0.99)),
      ms(Math.max(...lat)),
      `${ms(quantileOf(past, 0.5))} / ${ms(quantileOf(past, 0.99))} / ${ms(Math.max(...past))}`,
      rs.map((s) => ms(s.lastPastComputeEndMs)).join(', '),
    ]);
    if (engine === 'memex') {
      const sum = (store: string, k: string) => rs.reduce((n, s) => n + s.reports.reduce((m, r) => m + (r.stores?.[store]?.[k] ?? 0), 0), 0);
      notes.push(
        `- memex \`cache.stats()\` summed over processes and rounds: ${sum('cache', 'computes')} computes, ${sum('cache', 'waits')} waits, ${sum('cache', 'misses')} misses, ${sum('cache', 'hits')} hits`,
      );
      notes.push(
        `- memex compute lease (\`locks\` store, lock \`cache:<key>\`): ${sum('locks', 'acquisitions')} acquisitions, ${sum('locks', 'waits')} waits (${int(sum('locks', 'totalWaitMs'))} ms waited in all); SQLite write-lock waits: ${int(rs.reduce((n, s) => n + s.reports.reduce((m, r) => m + (r.memex?.lock.waits ?? 0), 0), 0))}`,
      );
    }
    const cm = rs.flatMap((s) => s.computeMs);
    notes.push(`- ${engine}: compute durations ${ms(Math.min(...cm))}-${ms(Math.max(...cm))} ms (asked for ${computeMs} ms)`);
  }
  const memexStampedes = memexOnly(stampedes);
  return [
    '### 3. `getOrSet` stampede: one missing key, many processes',
    '',
    `${stampedeProcs} processes x ${stampedeCallers} callers, released together (ready/go), all ask for one key that no one has; its compute sleeps ${computeMs} ms. Memex: ${stampedeRounds} round${stampedeRounds === 1 ? '' : 's'}, each on a fresh file and key; lru-cache: 1 round (nothing is shared between its processes). Latency is from each call to its resolve, in the caller's process. "After the compute's end" is each caller's resolve time minus the end of the compute it waited for (its own process's compute if that process ran one, else the round's), on the machine clock (\`performance.timeOrigin + performance.now()\`; processes agree to about a millisecond).`,
    '',
    table(
      [
        'variant',
        'rounds',
        'computes per round',
        'callers resolved',
        'distinct values per round',
        'errors',
        'p50 ms',
        'p99 ms',
        'max ms',
        "after the compute's end: p50 / p99 / max ms",
        "last caller after the compute's end, per round (ms)",
      ],
      rows,
    ),
    '',
    ...notes,
    memexStampedes.length > 0
      ? `- target: exactly 1 compute per stampede: ${memexStampedes.map((s) => s.computes).join(', ')} — ${yes(memexStampedes.every((s) => s.computes === 1))}`
      : '',
  ].join('\n');
}

/** The whole Markdown report: run header, targets table, then a section per scenario that ran. */
export function report(r: StoresResults, o: StoresOptions, targets: readonly Target[], run: RunInfo): string {
  const { env } = run;
  const sections: string[] = [];
  if (r.conv.size > 0) sections.push(convSection(r.conv, o));
  if (r.cache.size > 0) sections.push(cacheSection(r.cache, r.coherence, o));
  if (r.stampedes.length > 0) sections.push(stampedeSection(r.stampedes, o));
  return [
    `## Stores benchmarks (${env.date.slice(0, 10)})`,
    '',
    `- date: ${env.date}`,
    `- command: \`${env.command}\` (${int(run.totalSeconds)} s wall, ${run.phases} phases)`,
    `- machine: ${env.nproc} cores, ${env.cpu}, ${env.ramGiB} GiB RAM, ${env.platform}; 1-min load average ${env.loadAvgStart} at start, ${run.loadAvgEnd} at end`,
    `- Node ${env.node}, better-sqlite3 ${env.betterSqlite3}, SQLite ${env.sqlite}; lru-cache ${packageVersion('lru-cache')}; keyv ${packageVersion('keyv')}, @keyv/sqlite ${packageVersion('@keyv/sqlite')}, sqlite3 ${packageVersion('sqlite3')} (built from source)`,
    `- commit (HEAD, working tree may differ): ${env.commit ?? 'unknown'}`,
    '',
    '### Targets',
    '',
    targets.length === 0
      ? '(no target measured in this run)'
      : table(
          ['target', 'wanted', 'measured', 'status', 'missed by'],
          targets.map((t) => [t.name, t.target, t.measured, yes(t.met), t.miss || '—']),
        ),
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
}
