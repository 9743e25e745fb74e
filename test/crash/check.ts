/**
 * The crash model and checks shared by test/crash/crash.test.ts, postgres-crash.test.ts and
 * scripts/crash-loop.ts (the loop that kills the writer is crash-loop.ts).
 *
 * A writer child (crash-writer.ts) hammers one database file with set / setMany / transaction
 * and reports on stdout, one JSON line each, every write it ISSUES (before the call) and every
 * write that is ACKNOWLEDGED (after the promise resolved). The parent SIGKILLs it at a random
 * moment, then checks the file against what was reported:
 *
 * - `PRAGMA integrity_check` is ok (raw better-sqlite3), the file opens through openMemex, and
 *   the Memex view (kv.list) equals the raw rows;
 * - every acknowledged write is present: a key holds its last acknowledged write or a write
 *   issued after it (writes are identified by a write id `[generation, seq]` carried in the value;
 *   the child never has two writes to one key in flight, so per key the ids are in apply order);
 * - every value is exactly the one its write produced (payload recomputed from key and id);
 * - no setMany batch and no transaction is half applied: every value names all keys its write
 *   touched, and each of those keys holds that write or a later one;
 * - transactions only move balances between accounts, so the balances always sum to 0;
 * - a transaction that threw ('abort') never leaves a trace;
 * - every record's version is the seq of a 'set' event for the same key (same transaction), read
 *   through the public events API.
 *
 * The database file persists across iterations: each kill leaves it as it is, and the next
 * child has to open (and recover) whatever the previous one left.
 */
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import { isPgLocation, openAt } from '../helpers/location.js';
import { openMemex } from '../../src/index.js';
import { rng } from '../../src/util/rng.js';

export type Durability = 'full' | 'normal';
export type OpKind = 'set' | 'setMany' | 'txn' | 'abort';

/** Keys written by `set`, `setMany` and (one at a time) by transactions. */
export const SINGLE_KEYS: readonly string[] = Array.from({ length: 64 }, (_, i) => `s:${String(i).padStart(2, '0')}`);
/** Keys written only by transactions; their `bal` fields always sum to 0. */
export const ACCOUNTS: readonly string[] = Array.from({ length: 8 }, (_, i) => `acct:${i}`);
export const ALL_KEYS: readonly string[] = [...SINGLE_KEYS, ...ACCOUNTS];

/** What every stored value looks like. `w` = [generation, seq] is the id of the write. */
export interface StoredValue {
  w: [number, number];
  op: OpKind;
  /** Every key the write touched (the batch / transaction), in the order written. */
  ks: string[];
  /** Account balance (accounts only). */
  bal?: number;
  /** Deterministic filler of varying size (a few values span overflow pages). */
  pad: string;
}

/** Printed before a write is started. */
export interface IssueLine {
  i: number;
  g: number;
  op: OpKind;
  ks: string[];
  /** Transactions: the amount moved from each account to the next (cyclically), in `ks` order. */
  amt?: number[];
}

/** Printed after a write's promise resolved: with `ks` and `bal` it fixes every value written. */
export interface AckLine {
  a: number;
  g: number;
  op: OpKind;
  ks: string[];
  /** New balance per account (transactions only). */
  bal?: Record<string, number>;
}

export const mulberry32 = rng;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The filler of write `[g, s]` at `key`: mostly short, about 1 in 60 spans several pages. */
export function pad(key: string, g: number, s: number): string {
  const h = fnv1a(`${key}|${g}|${s}`);
  const len = h % 61 === 0 ? 3000 + (h % 6000) : h % 240;
  const unit = `${h.toString(36)}${key}`;
  return unit.repeat(Math.ceil(len / unit.length)).slice(0, len);
}

/** The exact value write `[g, s]` stores at `key`. */
export function valueFor(key: string, g: number, s: number, op: OpKind, ks: string[], bal?: number): StoredValue {
  return bal === undefined ? { w: [g, s], op, ks, pad: pad(key, g, s) } : { w: [g, s], op, ks, bal, pad: pad(key, g, s) };
}

interface Op {
  g: number;
  s: number;
  op: OpKind;
  ks: string[];
  bal?: Record<string, number>;
  amt?: number[];
  acked: boolean;
}

/** What a transaction adds to account `k`: it sends amt[i] to the next account, receives amt[i-1]. */
function deltaOf(op: Op, k: string): number {
  const accts = op.ks.filter((x) => x.startsWith('acct:'));
  const i = accts.indexOf(k);
  const amt = op.amt ?? [];
  if (i < 0 || amt.length !== accts.length) return Number.NaN;
  return -(amt[i] ?? 0) + (amt[(i - 1 + accts.length) % accts.length] ?? 0);
}

const wid = (g: number, s: number) => `${g}.${s}`;
const opName = (o: { g: number; s: number; op: OpKind }) => `${o.op} #${wid(o.g, o.s)}`;
const cmpW = (a: readonly [number, number], b: readonly [number, number]) => a[0] - b[0] || a[1] - b[1];

function isStoredValue(v: unknown): v is StoredValue {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return (
    Array.isArray(o.w) &&
    o.w.length === 2 &&
    o.w.every((n) => Number.isSafeInteger(n)) &&
    typeof o.op === 'string' &&
    Array.isArray(o.ks) &&
    o.ks.every((k) => typeof k === 'string') &&
    typeof o.pad === 'string' &&
    (o.bal === undefined || typeof o.bal === 'number')
  );
}

/** One kv row of the `records` table as read by raw SQL. */
export interface RawRow {
  key: string;
  value: string;
  version: number;
  expiresAt: number | null;
}

export interface RawSnapshot {
  rows: RawRow[];
}

export interface Totals {
  iterations: number;
  /** Writes issued / acknowledged by the children (aborting transactions not counted). */
  issued: number;
  acked: number;
  aborts: number;
  /**
   * Per-key checks of a write acknowledged by the generation just killed (keys whose last
   * acknowledged write is older were checked too, but are not counted: they prove nothing new).
   */
  keyChecks: number;
  /** Kills that landed while writes were in flight (issued, not acknowledged). */
  midWriteKills: number;
  /** In-flight writes at the kill that were found committed / not found. */
  inFlightCommitted: number;
  inFlightLost: number;
  /** Kills after which at least one unacknowledged write was found committed. */
  killsWithCommittedUnacked: number;
  /** Final stdout lines cut by the kill (ignored: a cut issue line was never started). */
  tornLines: number;
  /** Kills aimed at startup, and of those the ones whose writer had announced the open but not finished it. */
  startupKills: number;
  killsDuringOpen: number;
}

/**
 * What the parent knows from the children's stdout across all generations, and the checks of a
 * database snapshot against it.
 */
export class CrashModel {
  /** Per key, the last acknowledged write touching it. */
  private readonly lastAcked = new Map<string, Op>();
  /** Per key, writes issued after its last acknowledged one (any may or may not have landed). */
  private readonly unacked = new Map<string, Op[]>();
  private gen = 0;
  /** Account balances as verified after the previous kill, and as each generation began. */
  private seenBal = new Map<string, number>();
  private readonly balAtStart = new Map<number, ReadonlyMap<string, number>>();
  private issued = new Map<number, Op>();
  private torn: string | undefined;
  private protocolErrors: string[] = [];
  readonly totals: Totals = {
    iterations: 0,
    issued: 0,
    acked: 0,
    aborts: 0,
    keyChecks: 0,
    midWriteKills: 0,
    inFlightCommitted: 0,
    inFlightLost: 0,
    killsWithCommittedUnacked: 0,
    tornLines: 0,
    startupKills: 0,
    killsDuringOpen: 0,
  };

  startGeneration(g: number): void {
    this.gen = g;
    this.balAtStart.set(g, new Map(this.seenBal));
    this.issued = new Map();
    this.torn = undefined;
    this.protocolErrors = [];
  }

  /** Feeds one stdout line of the current child; returns what it was. */
  onLine(line: string): 'issue' | 'ack' | 'other' {
    if (this.torn !== undefined) {
      this.protocolErrors.push(`unparsable stdout line followed by more output: ${this.torn.slice(0, 200)}`);
      this.torn = undefined;
    }
    let msg: Partial<IssueLine & AckLine>;
    try {
      msg = JSON.parse(line) as Partial<IssueLine & AckLine>;
    } catch {
      this.torn = line;
      return 'other';
    }
    if (typeof msg.i === 'number') {
      const op: Op = { g: this.gen, s: msg.i, op: msg.op ?? 'set', ks: msg.ks ?? [], acked: false, ...(msg.amt ? { amt: msg.amt } : {}) };
      if (msg.g !== this.gen) this.protocolErrors.push(`issue line of generation ${msg.g} during generation ${this.gen}`);
      this.issued.set(op.s, op);
      if (op.op === 'abort') {
        this.totals.aborts++;
        return 'issue';
      }
      this.totals.issued++;
      for (const k of op.ks) {
        const list = this.unacked.get(k);
        if (list) list.push(op);
        else this.unacked.set(k, [op]);
      }
      return 'issue';
    }
    if (typeof msg.a === 'number') {
      const op = this.issued.get(msg.a);
      if (!op || op.op === 'abort' || op.acked) {
        this.protocolErrors.push(`acknowledgement of a write that was not issued (or twice): ${line.slice(0, 200)}`);
        return 'other';
      }
      op.acked = true;
      if (msg.bal) op.bal = msg.bal;
      this.totals.acked++;
      for (const k of op.ks) {
        this.lastAcked.set(k, op);
        // The child never issues a second write to a key before the first is acknowledged, so
        // nothing issued to `k` before this acknowledgement can still be newer than it.
        this.unacked.delete(k);
      }
      return 'ack';
    }
    this.protocolErrors.push(`unexpected stdout line: ${line.slice(0, 200)}`);
    return 'other';
  }

  /** Called once the child is gone and its stdout fully read. */
  endGeneration(): void {
    if (this.torn !== undefined) this.totals.tornLines++;
    this.torn = undefined;
    this.totals.iterations++;
  }

  /**
   * The balance of account `k` just before the unacknowledged transaction `op` ran: writes to a
   * key are sequential within a generation, so it is the last acknowledged one of that generation
   * or, if none, what was verified when the generation began.
   */
  private priorBalance(k: string, op: Op): number {
    const last = this.lastAcked.get(k);
    if (last && last.g === op.g && last.bal) return last.bal[k] ?? Number.NaN;
    return this.balAtStart.get(op.g)?.get(k) ?? 0;
  }

  /** Checks a snapshot read right after the kill; returns one message per problem found. */
  verify(snap: RawSnapshot, label: string): string[] {
    const failures = this.protocolErrors.map((e) => `${label}: ${e}`);
    const fail = (msg: string) => failures.push(`${label}: ${msg}`);
    const stored = new Map<string, StoredValue>();
    const universe = new Set(ALL_KEYS);

    for (const row of snap.rows) {
      if (!universe.has(row.key)) fail(`unexpected key "${row.key}" in the store`);
      let v: unknown;
      try {
        v = JSON.parse(row.value);
      } catch {
        fail(`key ${row.key}: value is not JSON: ${row.value.slice(0, 120)}`);
        continue;
      }
      if (!isStoredValue(v)) {
        fail(`key ${row.key}: value has the wrong shape: ${row.value.slice(0, 120)}`);
        continue;
      }
      stored.set(row.key, v);
      if (row.expiresAt !== null) fail(`key ${row.key}: has expires_at ${row.expiresAt} but no TTL was ever used`);
    }

    // Presence and exactness, per key.
    for (const k of ALL_KEYS) {
      const v = stored.get(k);
      const acked = this.lastAcked.get(k);
      const later = this.unacked.get(k) ?? [];
      if (acked && acked.g === this.gen) this.totals.keyChecks++;
      if (!v) {
        if (acked) fail(`LOST key ${k}: acknowledged ${opName(acked)} expected, key is absent`);
        continue;
      }
      const match = [acked, ...later].find((o) => o !== undefined && o.g === v.w[0] && o.s === v.w[1]);
      if (!match) {
        if (acked && cmpW(v.w, [acked.g, acked.s]) < 0) {
          fail(`LOST key ${k}: acknowledged ${opName(acked)} expected (or a later write), found older ${v.op} #${wid(...v.w)}`);
        } else {
          const exp = acked ? `acknowledged ${opName(acked)}` : 'no acknowledged write';
          const after = later.map((o) => `#${wid(o.g, o.s)}`).join(', ') || 'none';
          fail(`UNEXPECTED key ${k}: holds ${v.op} #${wid(...v.w)}; expected ${exp} or one issued after it (${after})`);
        }
        continue;
      }
      // An acknowledged transaction reported its balances; for one committed but never
      // acknowledged, the balance follows from the state before it and the amounts it issued,
      // never from the stored value under check.
      const bal =
        match.op === 'txn' && k.startsWith('acct:') ? (match.bal ? match.bal[k] : this.priorBalance(k, match) + deltaOf(match, k)) : undefined;
      const expected = valueFor(k, match.g, match.s, match.op, match.ks, bal);
      if (!isDeepStrictEqual(v, expected)) {
        fail(
          `CORRUPT key ${k}: ${opName(match)} should have stored ${JSON.stringify(expected).slice(0, 200)}, found ${JSON.stringify(v).slice(0, 200)}`,
        );
      }
    }

    // Atomicity: every key a stored write touched holds that write or a later one.
    const reported = new Set<string>();
    for (const [k, v] of stored) {
      const id = wid(...v.w);
      if (!v.ks.includes(k)) fail(`key ${k}: its write ${v.op} #${id} does not list it`);
      for (const k2 of v.ks) {
        const v2 = stored.get(k2);
        if (v2 && cmpW(v2.w, v.w) >= 0) continue;
        const tag = `${id}/${k2}`;
        if (reported.has(tag)) continue;
        reported.add(tag);
        fail(
          `HALF-APPLIED ${v.op} #${id} over [${v.ks.join(', ')}]: ${k} holds it but ${k2} holds ${v2 ? `older ${v2.op} #${wid(...v2.w)}` : 'nothing'}`,
        );
      }
    }

    // Transactions move balances, they never create or destroy them.
    let sum = 0;
    const parts: string[] = [];
    for (const a of ACCOUNTS) {
      const v = stored.get(a);
      if (!v) continue;
      if (v.op !== 'txn') fail(`account ${a} holds ${v.op} #${wid(...v.w)}: only committed transactions write accounts`);
      else if (v.bal === undefined) fail(`account ${a} holds ${v.op} #${wid(...v.w)} without a balance`);
      sum += v.bal ?? 0;
      parts.push(`${a}=${v.bal ?? '?'}`);
    }
    if (sum !== 0) fail(`INVARIANT account balances sum to ${sum}, expected 0 (${parts.join(' ')})`);
    for (const a of ACCOUNTS) this.seenBal.set(a, stored.get(a)?.bal ?? 0);

    // Writes in flight at the kill: committed or not, both are fine; count them.
    let inFlight = 0;
    let committed = 0;
    for (const op of this.issued.values()) {
      if (op.acked || op.op === 'abort') continue;
      inFlight++;
      const first = op.ks[0];
      const v = first === undefined ? undefined : stored.get(first);
      if (v && v.w[0] === op.g && v.w[1] === op.s) committed++;
    }
    if (inFlight > 0) this.totals.midWriteKills++;
    if (committed > 0) this.totals.killsWithCommittedUnacked++;
    this.totals.inFlightCommitted += committed;
    this.totals.inFlightLost += inFlight - committed;
    return failures;
  }

  /**
   * After a failed check, takes the stored state as the new truth so later iterations report
   * new problems rather than the same one again.
   */
  resync(snap: RawSnapshot): void {
    this.lastAcked.clear();
    this.unacked.clear();
    for (const row of snap.rows) {
      try {
        const v: unknown = JSON.parse(row.value);
        if (!isStoredValue(v)) continue;
        this.lastAcked.set(row.key, {
          g: v.w[0],
          s: v.w[1],
          op: v.op,
          ks: v.ks,
          bal: v.bal === undefined ? undefined : { [row.key]: v.bal },
          acked: true,
        });
      } catch {
        /* unparsable: nothing to expect from it */
      }
    }
  }
}

/** Reads a snapshot with better-sqlite3 directly; `integrity` holds every integrity_check line. */
export function readRaw(path: string): { integrity: string[]; snap: RawSnapshot } {
  // Killed before the file was created (a startup kill): nothing is stored.
  if (!existsSync(path)) return { integrity: ['ok'], snap: { rows: [] } };
  const db = new Database(path, { fileMustExist: true });
  try {
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    // A writer killed inside the very first open may leave a file without Memex's tables: it holds
    // nothing (the model then expects nothing), and the next open must create them.
    if (!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'records'`).get()) return { integrity, snap: { rows: [] } };
    const rows = db
      .prepare(`SELECT key, value, version, expires_at AS expiresAt FROM records WHERE ns = 'default' AND store = 'kv' ORDER BY key`)
      .all() as RawRow[];
    return { integrity, snap: { rows } };
  } finally {
    db.close();
  }
}

/** Opens `path` through openMemex and checks that its view equals the raw rows. */
export async function checkThroughMemex(path: string, durability: Durability, snap: RawSnapshot): Promise<string[]> {
  const failures: string[] = [];
  const mx = isPgLocation(path) ? await openAt(path) : await openMemex({ path, durability });
  try {
    const seen = new Map<string, { value: unknown; version: number }>();
    let page = await mx.kv.list({ limit: 1000 });
    for (;;) {
      for (const e of page.items) seen.set(e.key, { value: e.value, version: e.version });
      if (!page.cursor) break;
      page = await mx.kv.list({ limit: 1000, cursor: page.cursor });
    }
    if (seen.size !== snap.rows.length) failures.push(`openMemex lists ${seen.size} keys, raw SQL finds ${snap.rows.length}`);
    for (const row of snap.rows) {
      const m = seen.get(row.key);
      if (!m) failures.push(`openMemex does not list key ${row.key}`);
      else if (m.version !== row.version || !isDeepStrictEqual(m.value, JSON.parse(row.value))) {
        failures.push(`openMemex reads key ${row.key} as version ${m.version}, raw SQL as version ${row.version} (or the values differ)`);
      }
    }
    // Every record's version is the seq of the 'set' event its write appended in the same
    // transaction (unless retention trimmed it since).
    const lastSeq = await mx.events.lastSeq();
    const oldest = (await mx.events.since(0, { limit: 1 }))[0];
    for (const row of snap.rows) {
      if (row.version > lastSeq) failures.push(`key ${row.key}: version ${row.version} is above the last event seq ${lastSeq}`);
      if (!oldest || row.version < oldest.seq) continue;
      const e = (await mx.events.since(row.version - 1, { limit: 1 }))[0];
      if (!e || e.seq !== row.version || e.key !== row.key || e.op !== 'set' || e.store !== 'kv') {
        failures.push(
          `key ${row.key}: version ${row.version} has no matching 'set' event (found ${e ? `seq ${e.seq} ${e.store}/${e.key} ${e.op}` : 'none'})`,
        );
      }
    }
    const balances = await mx.kv.getMany<StoredValue>([...ACCOUNTS]);
    const sum = balances.reduce((n, v) => n + (v?.bal ?? 0), 0);
    if (sum !== 0) failures.push(`openMemex: account balances sum to ${sum}`);
    const health = await mx.health();
    const bad = health.checks.filter((c) => !c.ok);
    if (bad.length > 0) failures.push(`openMemex health not ok: ${bad.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  } finally {
    await mx.close();
  }
  return failures;
}
