/**
 * The SPEC's bounded waiting, measured: while another process (or node) holds the store's write
 * lock, how far past `lockTimeoutMs` do concurrent kv writes give up with LockTimeoutError? Shared
 * by the CI test beside it (lock-timeout-bound.test.ts) and `scripts/lock-timeout-bound.ts` (more
 * rounds on demand).
 *
 * One holder takes and releases the lock round after round; in each round six different writes of
 * one store wait for it at once and time out. Holders: `raw`, a process holding SQLite's lock from a
 * plain connection (a Memex writer polls for it); `gated`, one that takes the write gate first, as a
 * Memex process does (a Memex writer waits on the gate in the kernel); `postgres`, a client holding
 * the schema's write lock (a Memex node waits in the server).
 */
import { createInterface } from 'node:readline';
import pg from 'pg';
import { LockTimeoutError, type Memex } from '../../src/index.js';
import { lockKeys, LOCK_CLASS } from '../../src/engine/postgres/schema.js';
import { newLocation, openAt } from '../helpers/location.js';
import { PG_URL } from '../helpers/pg.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';

export type HolderKind = 'raw' | 'gated' | 'postgres';

export interface BoundRun {
  holder: HolderKind;
  timeoutMs: number;
  /** How far past `timeoutMs` each timed-out call gave up, in ms (rounds x 6). */
  overshoots: number[];
}

interface Holder {
  lock(): Promise<void>;
  release(): Promise<void>;
  close(): Promise<void>;
}

const CYCLER = here(import.meta.url, '../fixtures/lock-cycler.ts');

/** A process that takes SQLite's write lock (and with `gated` the gate) on each 'lock'. */
function sqliteHolder(path: string, kind: 'raw' | 'gated'): Holder {
  const child = spawnScript(CYCLER, [path, kind]);
  const exited = watchChild(child);
  const lines = createInterface({ input: child.stdout! });
  const say = (what: string, want: string) => {
    const heard = new Promise<void>((resolve, reject) => lines.once('line', (l) => (l === want ? resolve() : reject(new Error(`holder said ${l}`)))));
    child.stdin!.write(`${what}\n`);
    return unlessExited(heard, exited, `it said ${want}`);
  };
  return {
    lock: () => say('lock', 'locked'),
    release: () => say('release', 'released'),
    close: async () => {
      child.stdin!.end();
      child.kill();
      await exited;
    },
  };
}

/** Another client holding the schema's write lock, as a node in the middle of a write does. */
async function postgresHolder(location: string): Promise<Holder> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  return {
    lock: async () => {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, lockKeys(location.slice(3)).write]);
    },
    release: async () => void (await client.query('ROLLBACK')),
    close: () => client.end(),
  };
}

/** The six writes of a round: each must wait for the write lock. */
const ops = (mx: Memex, r: number): (() => Promise<unknown>)[] => [
  () => mx.kv.set('k', r),
  () => mx.kv.update('k', () => r),
  () => mx.kv.setMany([{ key: 'a', value: r }]),
  () => mx.kv.delete('k'),
  () => mx.kv.transaction((tx) => tx.set('k', r)),
  () => mx.kv.clear(),
];

/**
 * Measures `rounds` rounds against a fresh store held by a holder of kind `holder`, after one
 * warm-up round that is not counted (the first calls of a process run cold code).
 */
export async function measureLockTimeouts(holder: HolderKind, rounds: number, timeoutMs: number): Promise<BoundRun> {
  const location = newLocation(holder === 'postgres' ? 'postgres' : 'sqlite');
  await (await openAt(location)).close();
  const h = holder === 'postgres' ? await postgresHolder(location) : sqliteHolder(location, holder);
  const mx = await openAt(location, { lockTimeoutMs: timeoutMs });
  const overshoots: number[] = [];
  try {
    for (let r = 0; r <= rounds; r++) {
      await h.lock();
      const ms = await Promise.all(
        ops(mx, r).map(async (op) => {
          const t0 = performance.now();
          const err = await op().then(
            () => undefined,
            (e: unknown) => e,
          );
          if (!(err instanceof LockTimeoutError)) throw new Error(`expected LockTimeoutError, got ${String(err)}`);
          return performance.now() - t0;
        }),
      );
      if (r > 0) overshoots.push(...ms.map((m) => m - timeoutMs));
      await h.release();
    }
  } finally {
    await mx.close();
    await h.close();
  }
  return { holder, timeoutMs, overshoots };
}

/** The value at quantile `p` (0..1) of `xs`, nearest rank. */
export function quantile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

export function describeRun(r: BoundRun): string {
  const q = (p: number) => quantile(r.overshoots, p).toFixed(1);
  return `${r.holder} holder, lockTimeoutMs ${r.timeoutMs}, ${r.overshoots.length} timed-out calls: overshoot min ${q(0)} ms, p50 ${q(0.5)}, p99 ${q(0.99)}, max ${q(1)}`;
}
