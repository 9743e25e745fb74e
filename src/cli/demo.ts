import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openMemex } from '../memex.js';
import type { MemexStats } from '../api/memex.js';
import type { AgentReport } from './demo-agent.js';
import { memoryChecks, memoryOps, type DemoCheck } from './demo-checks.js';
import { INITIAL_BALANCE, accountKey } from './demo-workload.js';
import { siblingScript } from '../util/script-path.js';

export interface DemoOptions {
  processes: number;
  workers: number;
  callers: number;
  seconds: number;
  durability: 'full' | 'normal';
  /** Database file; a fresh temp dir when omitted (and no `url`). */
  path?: string;
  /** `postgres://…`: run the agents against PostgreSQL instead (fleet mode). */
  url?: string;
  /** The PostgreSQL schema (with `url`). @default 'memex' */
  schema?: string;
}

/** Where the demo's agents open the store: what each process passes to `openMemex`. */
export type DemoStore = { path: string; durability: 'full' | 'normal' } | { url: string; schema?: string };

export type { DemoCheck };

export interface DemoReport {
  /** The database file, or the PostgreSQL URL (password hidden) and schema. */
  readonly path: string;
  readonly ok: boolean;
  readonly checks: DemoCheck[];
  readonly processes: { pid: number; opsPerSec: number; ops: number; timeouts: number }[];
  readonly lock: { waits: number; totalWaitMs: number; maxWaitMs: number; timeouts: number; busyRetries: number };
  readonly writes: number;
  readonly commits: number;
  readonly stats: MemexStats;
}

/** Starts the agent processes on one file, lets them contend, then checks nothing was lost. */
export async function runDemo(o: DemoOptions): Promise<DemoReport> {
  const store: DemoStore =
    o.url !== undefined
      ? { url: o.url, ...(o.schema === undefined ? {} : { schema: o.schema }) }
      : { path: o.path ?? join(mkdtempSync(join(tmpdir(), 'memex-demo-')), 'memex.db'), durability: o.durability };
  const path = 'url' in store ? `${hidePassword(store.url)} (schema ${store.schema ?? 'memex'})` : store.path;
  const mx = await openMemex(store);
  try {
    const reports = await runAgents(store, o);
    const agents = reports.flatMap((r) => r.agents);
    const increments = new Map<string, number>();
    for (const a of agents) for (const [k, n] of Object.entries(a.result.increments)) increments.set(k, (increments.get(k) ?? 0) + n);
    const checks: DemoCheck[] = [];
    for (const [key, expected] of [...increments].sort())
      checks.push({ name: `${key} = acknowledged updates`, expected, actual: (await mx.kv.get<number>(key)) ?? 0 });
    const txns = agents.reduce((n, a) => n + a.result.transactions, 0);
    checks.push({ name: 'txn-count = acknowledged transactions', expected: txns, actual: (await mx.kv.get<number>('txn-count')) ?? 0 });
    const balances = await mx.kv.getMany<number>(Array.from({ length: 8 }, (_, i) => accountKey(i)));
    const total = balances.reduce<number>((s, b) => s + (b ?? INITIAL_BALANCE), 0);
    checks.push({ name: 'sum of balances (money conserved)', expected: 8 * INITIAL_BALANCE, actual: total });
    checks.push(
      ...(await memoryChecks(
        mx,
        agents.map((a) => a.result.memory),
      )),
    );
    for (const a of agents) {
      const stored = (await mx.kv.get<number>(`private:${a.result.agent}:batch`)) ?? 0;
      checks.push({ name: `private:${a.result.agent}:batch = last acknowledged setMany`, expected: a.result.lastBatch, actual: stored });
    }
    const processes = reports.map((r) => {
      const ops = r.agents.reduce(
        (n, a) =>
          n +
          Object.values(a.result.increments).reduce((x, y) => x + y, 0) +
          a.result.transactions +
          a.result.batches +
          a.result.reads +
          memoryOps(a.result.memory),
        0,
      );
      const secs = Math.max(...r.agents.map((a) => a.result.elapsedMs)) / 1000;
      return { pid: r.pid, ops, opsPerSec: Math.round(ops / secs), timeouts: r.agents.reduce((n, a) => n + a.result.timeouts, 0) };
    });
    const lock = { waits: 0, totalWaitMs: 0, maxWaitMs: 0, timeouts: 0, busyRetries: 0 };
    for (const a of agents) {
      lock.waits += a.lock.waits;
      lock.totalWaitMs += a.lock.totalWaitMs;
      lock.maxWaitMs = Math.max(lock.maxWaitMs, a.lock.maxWaitMs);
      lock.timeouts += a.lock.timeouts;
      lock.busyRetries += a.lock.busyRetries;
    }
    return {
      path,
      ok: checks.every((c) => c.expected === c.actual),
      checks,
      processes,
      lock,
      writes: agents.reduce((n, a) => n + a.writes, 0),
      commits: agents.reduce((n, a) => n + a.commits, 0),
      stats: await mx.stats(),
    };
  } finally {
    await mx.close();
  }
}

function hidePassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}

async function runAgents(store: DemoStore, o: DemoOptions): Promise<AgentReport[]> {
  const agent = siblingScript(import.meta.url, 'demo-agent');
  const children = Array.from({ length: o.processes }, (_, i) => {
    const args = [JSON.stringify(store), String(o.workers), String(o.callers), String(Math.round(o.seconds * 1000)), String(i)];
    const child = spawn(process.execPath, [...agent.execArgv, agent.file, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout });
    let report: AgentReport | undefined;
    let markReady: () => void = () => {};
    const ready = new Promise<void>((r) => (markReady = r));
    lines.on('line', (line) => {
      if (line === 'ready') markReady();
      else report = JSON.parse(line) as AgentReport;
    });
    const exited = new Promise<AgentReport>((resolve, reject) =>
      child.on('exit', (code) => (code === 0 && report ? resolve(report) : reject(new Error(`agent process ${i} exited with ${code}`)))),
    );
    return { child, ready: Promise.race([ready, exited.then(() => undefined)]), exited };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin.end('go\n');
  return Promise.all(children.map((c) => c.exited));
}
