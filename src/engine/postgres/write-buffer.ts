import { encodeKey } from './key-codec.js';
import type { Statement } from './protocol.js';
import type { Statements } from './statements.js';

/** One buffered put; a later put of the same key replaces it (keeping the first `createdAt`). */
interface PendingPut {
  ns: string;
  store: string;
  key: string;
  value: string;
  version: number;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
  rank: number | null;
}

interface PendingEvent {
  seq: number;
  at: number;
  ns: string;
  store: string;
  key: string | null;
  op: string;
}

const id = (ns: string, store: string, key: string) => `${ns}\u0000${store}\u0000${key}`;

/**
 * Puts, texts and events not yet sent to the database. Under the schema's write lock a put's
 * version is known without asking (the next seq), so puts wait here and go out together — as one
 * `unnest` statement each — with the next statement that needs an answer, or with COMMIT.
 */
export class WriteBuffer {
  private puts = new Map<string, PendingPut>();
  private texts = new Map<string, { ns: string; store: string; key: string; body: string | null }>();
  private events: PendingEvent[] = [];

  get empty(): boolean {
    return this.puts.size === 0 && this.events.length === 0 && this.texts.size === 0;
  }

  has(ns: string, store: string, key: string): boolean {
    return this.puts.has(id(ns, store, key));
  }

  put(p: PendingPut): void {
    const k = id(p.ns, p.store, p.key);
    const before = this.puts.get(k);
    // Insertion order is kept by deleting first: the newest put goes last.
    if (before) this.puts.delete(k);
    this.puts.set(k, before ? { ...p, createdAt: before.createdAt } : p);
  }

  text(ns: string, store: string, key: string, body: string | null): void {
    this.texts.set(id(ns, store, key), { ns, store, key, body });
  }

  event(e: PendingEvent): void {
    this.events.push(e);
  }

  /** Moves everything of `other` (a later writer) into this buffer. */
  absorb(other: WriteBuffer): void {
    for (const p of other.puts.values()) this.put(p);
    for (const [k, t] of other.texts) this.texts.set(k, t);
    this.events.push(...other.events);
    other.clear();
  }

  clear(): void {
    this.puts = new Map();
    this.texts = new Map();
    this.events = [];
  }

  /** The statements that write this buffer (then empty); `trim` also drops events up to that seq. */
  drain(sql: Statements, trim = 0): Statement[] {
    const out: Statement[] = [];
    const events: unknown[][] = [[], [], [], [], [], []];
    for (const e of this.events) [e.seq, e.at, e.ns, e.store, e.key === null ? null : encodeKey(e.key), e.op].forEach((v, i) => events[i]!.push(v));
    if (this.puts.size > 0) {
      const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
      for (const p of this.puts.values()) {
        const row = [p.ns, p.store, encodeKey(p.key), p.value, p.version, p.createdAt, p.updatedAt, p.expiresAt, p.rank];
        row.forEach((v, i) => cols[i]!.push(v));
      }
      out.push({ sql: sql.putsAndEvents, params: [...cols, ...events, trim] });
    } else if (this.events.length > 0 || trim > 0) {
      out.push({ sql: sql.eventsOnly, params: [...events, trim] });
    }
    if (this.texts.size > 0) {
      const cols: unknown[][] = [[], [], [], []];
      for (const t of this.texts.values()) [t.ns, t.store, encodeKey(t.key), t.body].forEach((v, i) => cols[i]!.push(v));
      out.push({ sql: sql.setTexts, params: cols });
    }
    this.clear();
    return out;
  }
}
