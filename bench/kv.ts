/**
 * kv benchmarks: Memex against raw better-sqlite3 and against the naive "lock file + JSON
 * document" approach, measured side by side in one run and reported as ratios.
 *
 *   npx tsx bench/kv.ts                 # full run (~2-3 min on 2 cores)
 *   npx tsx bench/kv.ts --quick         # 1 s per phase
 *   npx tsx bench/kv.ts --only fairness --fairness-procs 8 --fairness-durability normal --engines memex
 *   npx tsx bench/kv.ts --help
 *
 * Prints a Markdown section on stdout (progress goes to stderr) and writes the same Markdown and
 * the full JSON (per-process reports, latency histograms) to bench/results/ (git-ignored).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { aggregate, type VariantResult } from './lib/aggregate.js';
import { benchEnv, type BenchEnv } from './lib/env.js';
import { GET_KEYS, NAIVE_LOCK_OPTIONS, RAW_BUSY_TIMEOUT_MS } from './lib/fixtures.js';
import { errors, int, ms, ratio, table } from './lib/format.js';
import { runPhase, type PhaseResult, type PhaseSpec } from './lib/phase.js';
import type { Durability, Engine } from './lib/protocol.js';
import { cliHelpers, parseOptions } from './lib/cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCENARIOS = ['update-normal', 'update-full', 'get', 'fairness'] as const;
type ScenarioKey = (typeof SCENARIOS)[number];
const ALIASES: Record<string, ScenarioKey> = {
  '1': 'update-normal',
  normal: 'update-normal',
  '2': 'update-full',
  full: 'update-full',
  '3': 'get',
  '4': 'fairness',
};

const HELP = `Usage: npx tsx bench/kv.ts [options]

  --quick                     1 s per phase instead of 3 s
  --seconds <n>               seconds per phase (overrides --quick)
  --rounds <n>                repeat every scenario's variants n times, interleaved ABC CBA …
                              (default 1); results merge all rounds
  --only <list>               scenarios, comma-separated: ${SCENARIOS.join(', ')}
                              (aliases: 1, 2, 3, 4, normal, full)
  --engines <list>            only these engines: memex, raw, naive (default all)
  --processes <n>             processes in update-normal and update-full (default 4)
  --callers <n>               memex async callers per process in update-full (default 16)
  --fairness-procs <list>     process counts of the fairness scenario (default 4,8)
  --fairness-durability <list> durabilities of the fairness scenario (default normal,full)
  --out <dir>                 where the JSON and Markdown go (default bench/results)
  --help
`;

const cli = cliHelpers(HELP);
const { list, posInt, oneOf } = cli;

const args = parseOptions(
  {
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    rounds: { type: 'string', default: '1' },
    only: { type: 'string' },
    engines: { type: 'string', default: 'memex,raw,naive' },
    processes: { type: 'string', default: '4' },
    callers: { type: 'string', default: '16' },
    'fairness-procs': { type: 'string', default: '4,8' },
    'fairness-durability': { type: 'string', default: 'normal,full' },
    out: { type: 'string', default: fileURLToPath(new URL('./results', import.meta.url)) },
    help: { type: 'boolean', default: false },
  },
  cli.usageError,
);

cli.exitOnHelp(args.help);
const durationMs = cli.phaseMs(args.seconds, args.quick);
const seconds = durationMs / 1000;
const rounds = posInt('rounds', args.rounds);
const only = args.only === undefined ? [...SCENARIOS] : list(args.only).map((s) => ALIASES[s] ?? oneOf('only', SCENARIOS, s));
const engines = new Set(list(args.engines).map((e) => oneOf<Engine>('engines', ['memex', 'raw', 'naive'], e)));
const processes = posInt('processes', args.processes);
const callers = posInt('callers', args.callers);
const fairnessProcs = list(args['fairness-procs']).map((s) => posInt('fairness-procs', s));
const fairnessDurability = list(args['fairness-durability']).map((s) => oneOf<Durability>('fairness-durability', ['normal', 'full'], s));

// ---------------------------------------------------------------------------------------------
// Scenarios

interface Variant {
  readonly id: string;
  readonly label: string;
  readonly spec: PhaseSpec;
}

const update = (engine: Engine, durability: Durability, procs: number, c = 1): PhaseSpec => ({
  engine,
  op: 'update',
  durability,
  procs,
  callers: c,
  durationMs,
});

function variantsOf(s: ScenarioKey): Variant[] {
  switch (s) {
    case 'update-normal':
      return [
        { id: 'normal.memex', label: 'memex `kv.update`', spec: update('memex', 'normal', processes) },
        { id: 'normal.raw', label: 'raw `BEGIN IMMEDIATE` RMW, synchronous=NORMAL', spec: update('raw', 'normal', processes) },
        { id: 'normal.naive', label: 'naive lock file + 200 KB JSON + fsync', spec: update('naive', 'normal', processes) },
      ];
    case 'update-full':
      return [
        { id: 'full.memex', label: `memex \`kv.update\`, ${callers} callers/process`, spec: update('memex', 'full', processes, callers) },
        { id: 'full.raw', label: 'raw one commit per write, synchronous=FULL', spec: update('raw', 'full', processes) },
        { id: 'full.naive', label: 'naive lock file + 200 KB JSON + fsync', spec: update('naive', 'full', processes) },
      ];
    case 'get': {
      const get = (engine: Engine, c: number, parse = false): PhaseSpec => ({
        engine,
        op: 'get',
        durability: 'normal',
        procs: 1,
        callers: c,
        durationMs,
        ...(parse ? { parse } : {}),
      });
      return [
        { id: 'get.memex', label: 'memex `kv.get`, 1 caller awaiting each get', spec: get('memex', 1) },
        { id: 'get.memex16', label: 'memex `kv.get`, 16 concurrent callers', spec: get('memex', 16) },
        { id: 'get.raw', label: 'raw prepared `SELECT value FROM t WHERE k = ?`', spec: get('raw', 1) },
        { id: 'get.rawParse', label: 'raw point read + `JSON.parse`', spec: get('raw', 1, true) },
      ];
    }
    case 'fairness':
      return fairnessProcs.flatMap((p) =>
        fairnessDurability.flatMap((d) => [
          { id: `fair.${p}.${d}.memex`, label: 'memex', spec: update('memex', d, p) },
          { id: `fair.${p}.${d}.raw`, label: 'raw (busy_timeout)', spec: update('raw', d, p) },
        ]),
      );
  }
}

// ---------------------------------------------------------------------------------------------
// Run

const env = benchEnv(ROOT, process.argv.slice(2));
const plan = only.map((s) => ({ scenario: s, variants: variantsOf(s).filter((v) => engines.has(v.spec.engine)) }));
const totalPhases = plan.reduce((n, p) => n + p.variants.length, 0) * rounds;
const results = new Map<string, VariantResult>();
const phasesById = new Map<string, PhaseResult[]>();
const t0 = performance.now();
let phaseNo = 0;

process.stderr.write(`kv bench: ${totalPhases} phases of ${seconds} s (${env.nproc} cores, load ${env.loadAvgStart})\n`);
for (const { scenario, variants } of plan) {
  for (let round = 0; round < rounds; round++) {
    // Odd rounds run the variants in reverse (ABC CBA …), so a drifting machine load biases none.
    for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
      phaseNo++;
      const p = await runPhase(v.spec);
      const list = phasesById.get(v.id) ?? [];
      list.push(p);
      phasesById.set(v.id, list);
      const ops = p.reports.reduce((n, r) => n + r.ops, 0);
      const check = p.counter ? ` counter ${p.counter.actual}/${p.counter.expected} ${p.counter.ok ? 'ok' : 'MISMATCH'}` : '';
      process.stderr.write(`[${phaseNo}/${totalPhases}] ${scenario} ${v.id}: ${int(ops / (p.wallMs / 1000))} ops/s${check}\n`);
    }
  }
  for (const v of variants) results.set(v.id, aggregate(v.id, v.label, phasesById.get(v.id) ?? []));
}
const totalSeconds = (performance.now() - t0) / 1000;
const loadAvgEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;

// ---------------------------------------------------------------------------------------------
// Targets

interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** By how much a missed target is missed; empty when met. */
  readonly miss: string;
}

const targets: Target[] = [];
function ratioTarget(name: string, num: string, den: string, min: number): number | undefined {
  const a = results.get(num);
  const b = results.get(den);
  if (!a || !b || b.opsPerSec === 0) return undefined;
  const r = a.opsPerSec / b.opsPerSec;
  const met = r >= min;
  const miss = met ? '' : `${((1 - r / min) * 100).toFixed(0)}% short: needs ${(min / r).toFixed(2)}x the measured memex throughput`;
  targets.push({ name, target: `>= ${min}x`, measured: ratio(r), met, miss });
  return r;
}
ratioTarget("1. `kv.update` 'normal', memex / raw", 'normal.memex', 'normal.raw', 0.7);
ratioTarget(`2. \`kv.update\` 'full', ${callers} callers: memex / raw per-commit FULL`, 'full.memex', 'full.raw', 5);
ratioTarget(`2. \`kv.update\` 'full', ${callers} callers: memex / naive`, 'full.memex', 'full.naive', 100);
ratioTarget('3. `kv.get` (1 caller) / raw point read', 'get.memex', 'get.raw', 0.5);
const fair8 = results.get('fair.8.normal.memex');
if (fair8) {
  const max = fair8.latency.maxMs;
  const met = max <= 50;
  targets.push({
    name: "4. max wait per `kv.update`, 8 processes, 'normal'",
    target: '<= 50 ms',
    measured: `${ms(max)} ms`,
    met,
    miss: met ? '' : `${(max / 50).toFixed(1)}x the target (+${ms(max - 50)} ms)`,
  });
}
const counters = [...results.values()].flatMap((r) => r.counters.map((c) => ({ id: r.id, ...c })));
const lost = counters.filter((c) => !c.ok);

// ---------------------------------------------------------------------------------------------
// Report

const yes = (b: boolean) => (b ? 'met' : '**missed**');
const r = (id: string) => results.get(id);
const counterCell = (v: VariantResult) =>
  v.counters.length === 0
    ? ''
    : v.counters.every((c) => c.ok)
      ? v.counters.map((c) => int(c.actual)).join(' / ') + ' ok'
      : `**MISMATCH** ${v.counters.map((c) => `${c.actual} vs ${c.expected}`).join(', ')}`;
const perProc = (v: VariantResult) => `${int(v.perProcessOps.min)} – ${int(v.perProcessOps.max)}`;
const ratioLine = (label: string, num: string, den: string) => {
  const a = r(num);
  const b = r(den);
  return a && b ? `- ${label}: **${ratio(a.opsPerSec / b.opsPerSec)}**` : undefined;
};
const memexLine = (v: VariantResult | undefined) =>
  v?.memex
    ? `- memex group commit: ${int(v.memex.writes)} writes in ${int(v.memex.commits)} commits (${v.memex.writesPerCommit.toFixed(1)} writes/commit); ${int(v.memex.lockWaits)} lock waits, ${int(v.memex.busyRetries)} busy retries, ${v.memex.timeouts} timeouts`
    : undefined;

function updateSection(title: string, prefix: string, intro: string, lines: (string | undefined)[]): string {
  const vs = ['memex', 'raw', 'naive'].map((e) => r(`${prefix}.${e}`)).filter((v) => v !== undefined);
  const rows = vs.map((v) => [
    v.label,
    int(v.opsPerSec),
    perProc(v),
    ms(v.latency.p50Ms),
    ms(v.latency.p99Ms),
    ms(v.latency.maxMs),
    errors(v.errors),
    counterCell(v),
  ]);
  return [
    `### ${title}`,
    '',
    intro,
    '',
    table(['variant', 'ops/s', 'ops per process (min – max)', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'final counter = acknowledged'], rows),
    '',
    ...lines.filter((l) => l !== undefined),
  ].join('\n');
}

const sections: string[] = [];
const dur = `${seconds} s per phase${rounds > 1 ? `, ${rounds} interleaved rounds` : ''}`;
if (only.includes('update-normal')) {
  sections.push(
    updateSection(
      "1. `kv.update` of one shared key, durability 'normal'",
      'normal',
      `${processes} processes × 1 caller, ${dur}. Raw: \`BEGIN IMMEDIATE; SELECT; UPDATE; COMMIT\`, WAL, synchronous=NORMAL, busy_timeout=${RAW_BUSY_TIMEOUT_MS}. Naive: proper-lockfile around read + parse + modify + write temp + fsync + rename.`,
      [
        ratioLine('memex / raw (target >= 0.7x)', 'normal.memex', 'normal.raw'),
        ratioLine('memex / naive', 'normal.memex', 'normal.naive'),
        memexLine(r('normal.memex')),
      ],
    ),
  );
}
if (only.includes('update-full')) {
  sections.push(
    updateSection(
      "2. `kv.update`, concurrent callers, durability 'full'",
      'full',
      `${processes} processes; memex ${callers} async callers per process, raw and naive 1 caller per process (raw is synchronous; more naive callers only contend for the same lock file), ${dur}. Raw: one \`BEGIN IMMEDIATE\` RMW commit per write, synchronous=FULL.`,
      [
        ratioLine('memex / raw per-commit FULL (target >= 5x)', 'full.memex', 'full.raw'),
        ratioLine('memex / naive (target >= 100x)', 'full.memex', 'full.naive'),
        memexLine(r('full.memex')),
      ],
    ),
  );
}
if (only.includes('get')) {
  const vs = ['get.memex', 'get.memex16', 'get.raw', 'get.rawParse'].map(r).filter((v) => v !== undefined);
  const us = (x: number) => (x * 1000).toPrecision(3);
  sections.push(
    [
      '### 3. `kv.get` against a raw point read',
      '',
      `1 process, ${GET_KEYS.toLocaleString('en-US')} keys (small JSON objects), random keys, ${dur}.`,
      '',
      table(
        ['variant', 'gets/s', 'p50 µs', 'p99 µs', 'max ms'],
        vs.map((v) => [v.label, int(v.opsPerSec), us(v.latency.p50Ms), us(v.latency.p99Ms), ms(v.latency.maxMs)]),
      ),
      '',
      ...[
        ratioLine('memex (1 caller) / raw (target >= 0.5x)', 'get.memex', 'get.raw'),
        ratioLine('memex (16 callers) / raw', 'get.memex16', 'get.raw'),
        ratioLine('memex (1 caller) / raw + JSON.parse', 'get.memex', 'get.rawParse'),
      ].filter((l) => l !== undefined),
    ].join('\n'),
  );
}
if (only.includes('fairness')) {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const p of fairnessProcs) {
    for (const d of fairnessDurability) {
      for (const e of ['memex', 'raw']) {
        const v = r(`fair.${p}.${d}.${e}`);
        if (!v) continue;
        rows.push([
          String(p),
          d,
          v.label,
          int(v.opsPerSec),
          perProc(v),
          ms(v.latency.p50Ms),
          ms(v.latency.p99Ms),
          ms(v.latency.maxMs),
          errors(v.errors),
          counterCell(v),
        ]);
      }
      const m = r(`fair.${p}.${d}.memex`);
      const w = r(`fair.${p}.${d}.raw`);
      if (m && w) {
        notes.push(
          `- ${p} processes, '${d}': memex / raw throughput ${ratio(m.opsPerSec / w.opsPerSec)}, max wait ${ms(m.latency.maxMs)} vs ${ms(w.latency.maxMs)} ms, p99 ${ms(m.latency.p99Ms)} vs ${ms(w.latency.p99Ms)} ms`,
        );
      }
      if (m?.memex)
        notes.push(
          `- memex ${p} processes, '${d}': ${int(m.memex.lockWaits)} lock waits, ${int(m.memex.busyRetries)} busy retries, ${m.memex.timeouts} timeouts`,
        );
    }
  }
  sections.push(
    [
      '### 4. Fairness under contention: wait per `kv.update` (call to resolve)',
      '',
      `1 caller per process on one shared key, ${dur}. Raw uses SQLite's own busy handler (busy_timeout=${RAW_BUSY_TIMEOUT_MS}); memex uses its own retry loop (lockTimeoutMs 5000). "ops per process" exposes starvation.`,
      '',
      table(
        [
          'processes',
          'durability',
          'engine',
          'ops/s',
          'ops per process (min – max)',
          'p50 ms',
          'p99 ms',
          'max ms',
          'errors',
          'final counter = acknowledged',
        ],
        rows,
      ),
      '',
      ...notes,
      fair8
        ? `- target: max wait <= 50 ms with 8 processes in 'normal': memex ${ms(fair8.latency.maxMs)} ms — ${yes(fair8.latency.maxMs <= 50)}`
        : '',
    ].join('\n'),
  );
}

function envSection(e: BenchEnv): string {
  return [
    `- date: ${e.date}`,
    `- command: \`${e.command}\` (${int(totalSeconds)} s wall, ${totalPhases} phases)`,
    `- machine: ${e.nproc} cores, ${e.cpu}, ${e.ramGiB} GiB RAM, ${e.platform}; 1-min load average ${e.loadAvgStart} at start, ${loadAvgEnd} at end`,
    `- Node ${e.node}, better-sqlite3 ${e.betterSqlite3}, SQLite ${e.sqlite}, proper-lockfile ${e.properLockfile}`,
    `- commit (HEAD, working tree may differ): ${e.commit ?? 'unknown'}`,
    `- naive lock retries: ${JSON.stringify(NAIVE_LOCK_OPTIONS.retries)}`,
  ].join('\n');
}

const md = [
  `## kv benchmarks (${env.date.slice(0, 10)})`,
  '',
  envSection(env),
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
  lost.length === 0
    ? `No lost updates: in every update phase (${counters.length}) the final counter equals the acknowledged total.`
    : `**LOST OR EXTRA UPDATES** in ${lost.map((c) => `${c.id} (${c.actual} stored vs ${c.expected} acknowledged)`).join(', ')}.`,
  '',
  sections.join('\n\n'),
  '',
].join('\n');

process.stdout.write(md);
mkdirSync(args.out, { recursive: true });
const stamp = env.date.replace(/[:.]/g, '-');
const json = {
  env,
  options: { seconds, rounds, only, engines: [...engines], processes, callers, fairnessProcs, fairnessDurability },
  totalSeconds,
  loadAvgEnd,
  targets,
  results: [...results.values()],
  phases: Object.fromEntries(phasesById),
};
writeFileSync(`${args.out}/kv-${stamp}.json`, `${JSON.stringify(json, null, 1)}\n`);
writeFileSync(`${args.out}/kv-${stamp}.md`, md);
process.stderr.write(`wrote ${args.out}/kv-${stamp}.json and .md\n`);
if (lost.length > 0) process.exitCode = 1;
