import type { KvTransaction } from '../api/kv.js';
import type { RecordRow, WriteTx } from '../engine/types.js';
import { ClosedError, ConflictError, ValidationError } from '../errors.js';
import type { KvContext } from '../stores/kv/ops.js';
import { kvTransaction } from '../stores/kv/transaction.js';
import { newCounters } from '../stores/context.js';
import { isThenable } from '../values/thenable.js';
import { parseStored, typedReplacer } from '../values/typed.js';
import type { HttpTransport } from './http.js';

/** Bounded optimistic retries before a contended transaction gives up with ConflictError. */
export const MAX_ATTEMPTS = 100;
/** Versions of a transaction's own writes until it commits (the server numbers them then). */
const PROVISIONAL = Number.MAX_SAFE_INTEGER;

/** Thrown inside `fn` when it reads a key not fetched yet: the run is discarded and repeated. */
class MissingKey extends Error {
  constructor() {
    super('this key is fetched and the transaction runs again');
  }
}

interface WireEntry {
  key: string;
  value: unknown;
  version: number;
  updatedAt: number;
  expiresAt: number | null;
}

/**
 * `kv.transaction(fn)` and `kv.update` of the remote client: `fn` runs here, over the records it
 * reads, with the embedded store's own transaction handle (so validation, compare-and-set inside
 * the transaction and TTL handling are the same code). A key read for the first time stops the
 * run, is fetched, and the run starts over; a finished run commits with `kv.commit`, whose checks
 * hold only if every key read is still at the version `fn` saw — serializable, as the embedded
 * store is. A failed check (another client wrote) refreshes and runs `fn` again, at most
 * {@link MAX_ATTEMPTS} times, then throws `ConflictError`. `fn` may therefore run several times:
 * it must be pure, as the embedded `update` asks already.
 *
 * A run that writes nothing commits nothing, so no check covers its reads: it returns only if
 * every key it read came from one fetch (`kv.getEntries` reads one snapshot, during the call).
 * Otherwise its keys are fetched again, together, and it runs again: keys fetched one by one at
 * different moments could show a state that never existed (T1 wrote a and b; the run saw T1's a
 * and the b from before T1 — read skew).
 *
 * Inside `fn`, the version of a write the transaction itself made is provisional (counting down
 * from 2^53 − 1) until the commit; compare-and-set against it inside the transaction works. After
 * the commit `fn` runs once more with the real versions (see `replay`), so what it returns and
 * records carries them. `update` (whose result is a value) skips that run.
 */
export async function remoteTransaction<R>(http: HttpTransport, ctx: KvContext, fn: (tx: KvTransaction) => R, replayAfterCommit = true): Promise<R> {
  if (http.isClosed) throw new ClosedError();
  const known: Known = { rows: new Map(), fetch: new Map(), fetches: 0 };
  for (let attempt = 1; ; attempt++) {
    const scratch = newCounters();
    const run = runOnce({ ...ctx, counters: () => scratch }, known.rows, fn);
    if (run.missing.size > 0) {
      // With the keys already read: if fn reads nothing new on its next run, that run's reads all
      // come from this one fetch (one snapshot), and a read-only run can return at once.
      await fetchRows(http, ctx, [...new Set([...run.read, ...run.missing])], known);
      attempt--; // fetching is not a conflict
      continue;
    }
    // The counts of the run that decided the outcome (as the embedded store counts its one run).
    const counted = () => http.counters.merge(ctx.store, scratch);
    if ('error' in run) {
      counted();
      throw run.error;
    }
    if (isThenable(run.result)) throw new ValidationError('fn', 'must be synchronous; it returned a promise');
    if (run.writes.length === 0) {
      if (oneSnapshot(run.read, known)) {
        counted();
        return run.result;
      }
      // A read set that never settles into one fetch (fn reads other keys on every run) gives up
      // as a contended transaction does.
      if (attempt >= MAX_ATTEMPTS) {
        const first = [...run.read][0]!;
        throw new ConflictError(first, known.rows.get(first)?.version ?? 0, 0);
      }
      await fetchRows(http, ctx, [...run.read], known);
      continue;
    }
    const checks = [...run.read].map((k) => ({ key: k, version: known.rows.get(k)?.version ?? 0 }));
    const writes = run.writes.map((w) => toWire(w, run.now));
    try {
      const { versions } = await http.call<{ versions: number[] }>('kv.commit', ctx.ns, { checks, writes });
      counted();
      return replayAfterCommit ? replay(ctx, known.rows, fn, run, versions) : run.result;
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw e;
      const fresh = (e as { entries?: (WireEntry | null)[] }).entries;
      if (fresh && fresh.length === checks.length)
        learn(
          checks.map((c) => c.key),
          fresh,
          known,
        );
      else await fetchRows(http, ctx, [...run.read], known);
      // A short random pause: contenders that collided spread out instead of colliding again in
      // step. Capped low, because a pause that keeps growing with the losses makes a loser lose
      // ever more often (the capture effect of Ethernet's backoff).
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(8, 2 ** attempt)));
    }
  }
}

/** The records fetched so far, and which fetch (one snapshot each) brought each key. */
interface Known {
  readonly rows: Map<string, RecordRow | null>;
  readonly fetch: Map<string, number>;
  fetches: number;
}

/** Whether every key of `read` came from the same fetch, so from one snapshot. */
function oneSnapshot(read: ReadonlySet<string>, known: Known): boolean {
  const fetches = new Set([...read].map((k) => known.fetch.get(k)));
  return fetches.size <= 1;
}

/** One write of a run, in order: a value (`json`) or a delete (`json` null). */
interface Write {
  readonly key: string;
  readonly json: string | null;
  readonly expiresAt: number | null;
  /** The expiry of the record just before this write (`undefined`: there was none). */
  readonly priorExpiresAt: number | null | undefined;
}
type Run<R> = { missing: Set<string>; read: Set<string>; writes: Write[]; now: number } & ({ result: R } | { error: unknown });

/**
 * After the commit, `fn` runs once more over the same records with each write given the version
 * the server gave it, so what `fn` saw and returned carries the real versions. An `fn` that does
 * not repeat itself (it is not pure) keeps the committed run's result.
 */
function replay<R>(
  ctx: KvContext,
  known: Map<string, RecordRow | null>,
  fn: (tx: KvTransaction) => R,
  committed: Run<R> & { result: R },
  versions: number[],
): R {
  const again = runOnce({ ...ctx, counters: () => newCounters() }, known, fn, versions);
  const same =
    'result' in again &&
    again.missing.size === 0 &&
    again.writes.length === committed.writes.length &&
    again.writes.every((w, i) => w.key === committed.writes[i]!.key && w.json === committed.writes[i]!.json);
  return same ? again.result : committed.result;
}

function runOnce<R>(ctx: KvContext, known: Map<string, RecordRow | null>, fn: (tx: KvTransaction) => R, versions?: number[]): Run<R> {
  const missing = new Set<string>();
  const read = new Set<string>();
  const writes: Write[] = [];
  const own = new Map<string, RecordRow | null>();
  const now = Date.now();
  let provisional = PROVISIONAL;
  const get = (key: string): RecordRow | undefined => {
    if (own.has(key)) return own.get(key) ?? undefined;
    if (!known.has(key)) {
      missing.add(key);
      throw new MissingKey();
    }
    read.add(key);
    return known.get(key) ?? undefined;
  };
  const tx = {
    now,
    get: (_ns: string, _store: string, key: string) => get(key),
    getValue: (_ns: string, _store: string, key: string) => get(key),
    put: (_ns: string, _store: string, key: string, json: string, o: { expiresAt?: number | null }) => {
      const prior = get(key);
      const version = versions?.[writes.length] ?? provisional--;
      const row: RecordRow = {
        key,
        value: json,
        version,
        createdAt: prior?.createdAt ?? now,
        updatedAt: now,
        expiresAt: o.expiresAt ?? null,
        rank: null,
      };
      writes.push({ key, json, expiresAt: row.expiresAt, priorExpiresAt: prior ? prior.expiresAt : undefined });
      own.set(key, row);
      return version;
    },
    delete: (_ns: string, _store: string, key: string) => {
      const existed = get(key) !== undefined;
      writes.push({ key, json: null, expiresAt: null, priorExpiresAt: undefined });
      own.set(key, null);
      return existed;
    },
  } as unknown as WriteTx;
  let active = true;
  try {
    const result = fn(kvTransaction(ctx, tx, () => active));
    // An async fn is refused (ValidationError) once its run completes; the promise of a discarded
    // run may still reject (a key it read was not fetched yet): that rejection is expected.
    if (isThenable(result)) (result as unknown as Promise<unknown>).catch(() => undefined);
    return { missing, read, writes, now, result };
  } catch (error) {
    return { missing, read, writes, now, error };
  } finally {
    active = false;
  }
}

function toWire(w: Write, now: number): Record<string, unknown> {
  const key = w.key;
  if (w.json === null) return { key, delete: true };
  const value: unknown = parseStored(w.json);
  if (w.expiresAt === null) return { key, value };
  if (w.priorExpiresAt === w.expiresAt) return { key, value, keepTtl: true };
  return { key, value, ttlMs: Math.max(1, w.expiresAt - now) };
}

async function fetchRows(http: HttpTransport, ctx: KvContext, keys: string[], known: Known): Promise<void> {
  learn(keys, await http.call<(WireEntry | null)[]>('kv.getEntries', ctx.ns, { keys }), known);
}

/** Takes in records that one answer (one snapshot) brought. */
function learn(keys: string[], entries: (WireEntry | null)[], known: Known): void {
  const fetch = ++known.fetches;
  keys.forEach((k, i) => {
    const e = entries[i];
    known.fetch.set(k, fetch);
    known.rows.set(
      k,
      e
        ? {
            key: e.key,
            value: JSON.stringify(e.value, typedReplacer),
            version: e.version,
            createdAt: e.updatedAt,
            updatedAt: e.updatedAt,
            expiresAt: e.expiresAt,
            rank: null,
          }
        : null,
    );
  });
}
