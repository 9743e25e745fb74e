import type { RecordRow } from '../../engine/types.js';

/**
 * The state of one named lock as stored in its record (store `locks`, key = the lock's name):
 * the current holders and the queue of waiters, each with its own expiry. Everything here is pure
 * — a function of the record and the transaction's `now` — because engine callbacks may run more
 * than once and must have no effect outside the transaction.
 *
 * Stored JSON (short keys: the record is rewritten on every grant, renewal and release):
 * `{ "h": [{ "o": owner, "m": "x" | "s", "t": token, "e": expiresAt }], "w": [{ "o", "m", "e" }] }`.
 *
 * A holder's fencing token is the version of the put that granted it. That version is only known
 * once the put has run, so the newest holder is stored with `t: 0`, meaning "the version of this
 * record"; every later write reads the record first and stores the resolved number.
 */

/** Exclusive (`x`) or shared (`s`). */
export type ModeCode = 'x' | 's';

export interface Holder {
  readonly o: string;
  readonly m: ModeCode;
  readonly t: number;
  readonly e: number;
}

export interface Waiter {
  readonly o: string;
  readonly m: ModeCode;
  readonly e: number;
}

export interface LockState {
  readonly h: readonly Holder[];
  readonly w: readonly Waiter[];
}

/** Most holders one shared lock admits at once; further shared callers wait. */
export const MAX_HOLDERS = 512;
/** Longest waiter queue kept in a record; callers beyond it still poll, without a place in line. */
export const MAX_WAITERS = 512;
/**
 * A waiter's place in line lasts this long unless its polls refresh it, so a waiter that died
 * (SIGKILL) holds up the queue at most this long.
 */
export const WAITER_TTL_MS = 1000;
/** A waiter refreshes its place once less than this is left of it. */
const WAITER_REFRESH_MS = (WAITER_TTL_MS * 2) / 3;

const EMPTY: LockState = { h: [], w: [] };

function isEntry(v: unknown): v is { o: unknown; m: unknown; e: unknown; t?: unknown } {
  return v !== null && typeof v === 'object';
}

/** Reads a record's live state: expired holders and waiters are dropped, `t: 0` is resolved. */
export function parseState(row: RecordRow | undefined, now: number): LockState {
  if (!row) return EMPTY;
  let raw: { h?: unknown; w?: unknown };
  try {
    raw = JSON.parse(row.value) as { h?: unknown; w?: unknown };
  } catch {
    return EMPTY;
  }
  const h: Holder[] = [];
  const w: Waiter[] = [];
  for (const x of Array.isArray(raw?.h) ? (raw.h as unknown[]) : []) {
    if (!isEntry(x) || typeof x.o !== 'string' || (x.m !== 'x' && x.m !== 's') || typeof x.e !== 'number' || typeof x.t !== 'number') continue;
    if (x.e > now) h.push({ o: x.o, m: x.m, t: x.t === 0 ? row.version : x.t, e: x.e });
  }
  for (const x of Array.isArray(raw?.w) ? (raw.w as unknown[]) : []) {
    if (!isEntry(x) || typeof x.o !== 'string' || (x.m !== 'x' && x.m !== 's') || typeof x.e !== 'number') continue;
    if (x.e > now) w.push({ o: x.o, m: x.m, e: x.e });
  }
  return { h, w };
}

/** The record to write for `state`: its JSON and expiry, or `null` when it should be deleted. */
export function encodeState(state: LockState): { json: string; expiresAt: number } | null {
  if (state.h.length === 0 && state.w.length === 0) return null;
  let expiresAt = 0;
  for (const x of state.h) expiresAt = Math.max(expiresAt, x.e);
  for (const x of state.w) expiresAt = Math.max(expiresAt, x.e);
  return { json: JSON.stringify(state), expiresAt };
}

export interface Request {
  readonly owner: string;
  readonly mode: ModeCode;
  readonly leaseMs: number;
  /** The caller's deadline has passed: this is its last attempt. */
  readonly final: boolean;
}

export type Decision =
  /** `next` holds the new holder with `t: 0`: the put's version is its token. */
  | { readonly kind: 'grant'; readonly next: LockState; readonly expiresAt: number }
  /** `next` is undefined when nothing needs writing. `head`: first in line (poll fast). */
  | { readonly kind: 'wait'; readonly next: LockState | undefined; readonly head: boolean }
  | { readonly kind: 'timeout'; readonly next: LockState | undefined };

/**
 * Grants or refuses `req` against `state` (FIFO-ish): an exclusive request is granted when
 * nobody holds the lock and nobody is ahead of it in line; a shared one when no exclusive holder
 * holds it and no exclusive waiter is ahead of it. A refused caller joins the line (or refreshes
 * its place); on its final attempt it leaves the line instead.
 */
export function decide(state: LockState, req: Request, now: number): Decision {
  const idx = state.w.findIndex((x) => x.o === req.owner);
  const ahead = idx === -1 ? state.w : state.w.slice(0, idx);
  const free = req.mode === 'x' ? state.h.length === 0 : state.h.length < MAX_HOLDERS && !state.h.some((x) => x.m === 'x');
  const inTurn = req.mode === 'x' ? ahead.length === 0 : !ahead.some((x) => x.m === 'x');
  const others = state.w.filter((x) => x.o !== req.owner);
  if (free && inTurn) {
    const e = now + req.leaseMs;
    return { kind: 'grant', next: { h: [...state.h, { o: req.owner, m: req.mode, t: 0, e }], w: others }, expiresAt: e };
  }
  if (req.final) return { kind: 'timeout', next: idx !== -1 ? { h: state.h, w: others } : undefined };
  const head = inTurn;
  const me = idx === -1 ? undefined : state.w[idx];
  if (me === undefined) {
    if (state.w.length >= MAX_WAITERS) return { kind: 'wait', next: undefined, head };
    return { kind: 'wait', next: { h: state.h, w: [...state.w, { o: req.owner, m: req.mode, e: now + WAITER_TTL_MS }] }, head };
  }
  if (me.e - now < WAITER_REFRESH_MS) {
    const w = state.w.map((x) => (x === me ? { ...x, e: now + WAITER_TTL_MS } : x));
    return { kind: 'wait', next: { h: state.h, w }, head };
  }
  return { kind: 'wait', next: undefined, head };
}

/** Extends `owner`'s lease; `undefined` when it holds the lock no more (its lease was lost). */
export function renewState(state: LockState, owner: string, until: number): LockState | undefined {
  if (!state.h.some((x) => x.o === owner)) return undefined;
  return { h: state.h.map((x) => (x.o === owner ? { ...x, e: Math.max(x.e, until) } : x)), w: state.w };
}

/** Removes `owner`'s lease; `undefined` when it held none. */
export function releaseState(state: LockState, owner: string): LockState | undefined {
  if (!state.h.some((x) => x.o === owner)) return undefined;
  return { h: state.h.filter((x) => x.o !== owner), w: state.w };
}
