import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readCounter, setupFile } from './fixtures.js';
import type { ChildConfig, ChildReport, Durability, Engine, Op } from './protocol.js';

const CHILD = fileURLToPath(new URL('../kv-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A child that is not ready by then (opening, warm-up) fails the phase. */
const READY_TIMEOUT_MS = 60_000;
/** Beyond the duration: the raw busy handler may block a call up to 5 s, plus closing. */
const FINISH_GRACE_MS = 30_000;

/** One measured configuration: `procs` processes started together on one fresh file. */
export interface PhaseSpec {
  readonly engine: Engine;
  readonly op: Op;
  readonly durability: Durability;
  readonly procs: number;
  readonly callers: number;
  readonly durationMs: number;
  readonly parse?: boolean;
}

export interface PhaseResult {
  readonly spec: PhaseSpec;
  readonly reports: ChildReport[];
  /** The longest child run (from its 'go' to its last call's end). */
  readonly wallMs: number;
  /** update phases: the stored counter against the acknowledged total. */
  readonly counter?: { readonly expected: number; readonly actual: number; readonly ok: boolean };
}

/** Sets up a fresh file, starts the children, lets them go at once, verifies the counter. */
export async function runPhase(spec: PhaseSpec): Promise<PhaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'memex-bench-'));
  const path = join(dir, spec.engine === 'naive' ? 'doc.json' : 'bench.db');
  try {
    await setupFile(spec.engine, path, spec.durability, spec.op === 'get');
    const configs: ChildConfig[] = Array.from({ length: spec.procs }, (_, index) => ({
      engine: spec.engine,
      op: spec.op,
      path,
      durability: spec.durability,
      callers: spec.callers,
      durationMs: spec.durationMs,
      index,
      ...(spec.parse ? { parse: true } : {}),
    }));
    const reports = await runChildren<ChildReport>(
      configs.map((config) => ({ script: CHILD, config, name: `${config.index} (${config.engine} ${config.op})` })),
      spec.durationMs,
    );
    const wallMs = Math.max(...reports.map((r) => r.elapsedMs));
    if (spec.op !== 'update') return { spec, reports, wallMs };
    const expected = reports.reduce((n, r) => n + r.ops, 0);
    const actual = await readCounter(spec.engine, path, spec.durability);
    return { spec, reports, wallMs, counter: { expected, actual, ok: expected === actual } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Running<R> {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly done: Promise<R>;
}

/** One child process to start: its script, its single JSON argument, a name for error messages. */
export interface ChildSpec {
  readonly script: string;
  readonly config: object;
  readonly name: string;
}

function start<R>(spec: ChildSpec): Running<R> {
  const child = spawn(process.execPath, ['--import', 'tsx', spec.script, JSON.stringify(spec.config)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let report: R | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') markReady();
    else if (line.startsWith('{')) report = JSON.parse(line) as R;
  });
  const done = new Promise<R>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && report) resolve(report);
      else reject(new Error(`bench child ${spec.name} exited with ${code ?? signal}`));
    });
  });
  // A child that dies before 'ready' fails the phase instead of hanging it.
  return { child, ready: Promise.race([ready, done.then(() => Promise.reject(new Error('exited before ready')))]), done };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Starts the children, waits until every one has printed `ready` (opened, warmed up), writes `go`
 * to all their stdins at once (no sleeps) and resolves their one-line JSON reports, in order.
 * `durationMs` is how long their timed work lasts; a child still running 30 s past it, or not
 * ready within 60 s, fails the phase (and every child still running is killed).
 */
export async function runChildren<R>(specs: readonly ChildSpec[], durationMs: number): Promise<R[]> {
  const running = specs.map((s) => start<R>(s));
  try {
    await withTimeout(Promise.all(running.map((r) => r.ready)), READY_TIMEOUT_MS, 'starting the bench children');
    // Everyone is waiting on stdin: release them together, no sleeps.
    for (const r of running) r.child.stdin!.end('go\n');
    return await withTimeout(Promise.all(running.map((r) => r.done)), durationMs + FINISH_GRACE_MS, 'the bench run');
  } catch (e) {
    for (const r of running) if (r.child.exitCode === null && r.child.pid !== undefined) r.child.kill('SIGKILL');
    throw e;
  }
}
