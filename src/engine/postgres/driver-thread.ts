/**
 * The driver thread: owns every pg Pool of this process and runs what the engines send. It exists
 * so that the seam's synchronous callbacks can read from PostgreSQL: the main thread posts a
 * statement and sleeps on an Atomics wait until this thread has the answer (see bridge.ts).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { prepareValue } from 'pg/lib/utils';
import type { PoolSettings, PoolState, Reply, Request, Slot, Statement, StatementResult, WireError } from './protocol.js';

interface Init {
  readonly syncPort: MessagePort;
  readonly asyncPort: MessagePort;
  readonly flag: Int32Array;
}

interface SlotState {
  client: pg.PoolClient | undefined;
  /** The connection failed: it is destroyed instead of returned to the pool. */
  broken: boolean;
  chain: Promise<unknown>;
}

interface EngineState {
  readonly pool: pg.Pool;
  readonly max: number;
  readonly slots: Map<Slot, SlotState>;
  /** Since a write met 25006 and until a writable session is found: the writer's is checked first. */
  readOnlySeen: boolean;
}

/** int8 as a JS number: every integer Memex stores (versions, Unix ms) is below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === 20 ? (v: string) => Number(v) : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
};

const { syncPort, asyncPort, flag } = workerData as Init;
const engines = new Map<number, EngineState>();

function wire(e: unknown): WireError {
  const err = e as { message?: unknown; code?: unknown };
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (typeof err?.code === 'string') return { message, code: err.code };
  // pg's own errors carry no code ("Connection terminated unexpectedly", "Query read timeout"):
  // name them as the network errors they are, so that callers can branch on driverCode.
  return { message, code: /timeout/i.test(message) ? 'ETIMEDOUT' : 'ECONNRESET' };
}

const READ_ONLY = '25006';

/**
 * Errors after which a connection is not reused: network failures, server shutdowns, and 25006
 * (read-only transaction: the server became a standby after a failover; a new connection may
 * reach the new primary, an old one never will).
 */
function isConnectionError(e: unknown): boolean {
  const code = wire(e).code!;
  return !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57P') || code === '57014' || code === READ_ONLY;
}

const names = new Map<string, string>();

/**
 * Fixed statements are prepared once per connection under a name derived from their text
 * (planning the unnest upserts costs more than running them).
 */
function statementName(sql: string): string {
  let n = names.get(sql);
  if (n === undefined) {
    names.set(sql, (n = `memex_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`));
  }
  return n;
}

function openPool(id: number, s: PoolSettings): void {
  const pool = new pg.Pool({
    connectionString: s.connectionString,
    max: s.max,
    connectionTimeoutMillis: s.connectionTimeoutMs,
    statement_timeout: s.statementTimeoutMs,
    query_timeout: s.statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: s.idleInTransactionTimeoutMs,
    application_name: s.applicationName,
    keepAlive: true,
    idleTimeoutMillis: 30_000,
    types,
  });
  // An idle connection that dies (server restart) emits 'error' on the pool: without a listener
  // that would crash the process. The next use simply opens a new connection.
  pool.on('error', () => undefined);
  engines.set(id, { pool, max: s.max, slots: new Map(), readOnlySeen: false });
}

async function client(state: EngineState, slot: SlotState, name: Slot): Promise<pg.PoolClient> {
  if (slot.client) return slot.client;
  const c = await (state.readOnlySeen && name === 'W' ? writable(state) : state.pool.connect());
  slot.broken = false;
  c.on('error', () => {
    slot.broken = true;
  });
  slot.client = c;
  return c;
}

/**
 * A session a write can use, once one turned out read-only: idle sessions opened while the
 * database was read-only stay so (the setting is read at session start), so they are closed
 * until one that is writable turns up — at most the pool's size; then the write fails with 25006
 * without holding a session, and the next write looks again.
 */
async function writable(state: EngineState): Promise<pg.PoolClient> {
  for (let i = 0; ; i++) {
    const c = await state.pool.connect();
    const r = await c.query<{ ro: boolean }>("SELECT current_setting('transaction_read_only') = 'on' AS ro").catch(() => undefined);
    if (r && !r.rows[0]!.ro) {
      state.readOnlySeen = false;
      return c;
    }
    c.release(true);
    if (i >= state.max) throw Object.assign(new Error('the database is read-only (no writable session found)'), { code: READ_ONLY });
  }
}

function drop(slot: SlotState): void {
  const c = slot.client;
  slot.client = undefined;
  c?.release(true);
}

/**
 * One text for several statements, each parameter inlined as a literal made by the driver's own
 * serializer (`prepareValue`, the same text it would bind) and quoting (`escapeLiteral`). Only
 * for Memex's fixed write statements, whose texts hold no `$` outside placeholders.
 */
function inlined(statements: readonly Statement[]): Statement {
  const sql = statements
    .map((st) =>
      st.params === undefined
        ? st.sql
        : st.sql.replace(/\$(\d+)/g, (_, n: string) => {
            const v = st.params![Number(n) - 1];
            return v === null || v === undefined ? 'NULL' : pg.escapeLiteral(String(prepareValue(v)));
          }),
    )
    .join(';\n');
  return { sql };
}

async function runStatements(state: EngineState, slotName: Slot, given: readonly Statement[], oneText: boolean): Promise<StatementResult[]> {
  const statements = oneText ? [inlined(given)] : given;
  let slot = state.slots.get(slotName);
  if (!slot) state.slots.set(slotName, (slot = { client: undefined, broken: false, chain: Promise.resolve() }));
  const s = slot;
  const run = async () => {
    const c = await client(state, s, slotName);
    const out: StatementResult[] = [];
    try {
      for (const st of statements) {
        // Without parameters pg uses the simple protocol, where one text may hold several statements.
        const r = (await c.query(
          st.prepare
            ? { text: st.sql, values: st.params as unknown[], name: statementName(st.sql) }
            : { text: st.sql, values: st.params as unknown[] | undefined },
        )) as pg.QueryResult | pg.QueryResult[];
        for (const one of Array.isArray(r) ? r : [r]) out.push({ rows: one.rows as Record<string, unknown>[], rowCount: one.rowCount ?? 0 });
      }
    } catch (e) {
      if (wire(e).code === READ_ONLY) state.readOnlySeen = true;
      if (s.broken || isConnectionError(e)) drop(s);
      throw e;
    }
    if (s.broken) drop(s);
    return out;
  };
  const p = s.chain.then(run, run);
  s.chain = p.catch(() => undefined);
  return p;
}

async function handle(req: Request): Promise<unknown> {
  if (req.op === 'open') {
    openPool(req.engine, req.pool);
    return null;
  }
  const state = engines.get(req.engine);
  if (!state) throw Object.assign(new Error('this engine is closed'), { code: 'MEMEX_CLOSED' });
  switch (req.op) {
    case 'run':
      return runStatements(state, req.slot, req.statements, req.oneText === true);
    case 'pool': {
      const p = state.pool;
      return { total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount, max: state.max } satisfies PoolState;
    }
    case 'close': {
      engines.delete(req.engine);
      for (const s of state.slots.values()) {
        await s.chain;
        drop(s);
      }
      await state.pool.end();
      return null;
    }
  }
}

function serve(port: MessagePort, notify: boolean): void {
  port.on('message', (msg: { id: number; req: Request }) => {
    void handle(msg.req).then(
      (value) => reply(port, { id: msg.id, ok: true, value }, notify),
      (e: unknown) => reply(port, { id: msg.id, ok: false, error: wire(e) }, notify),
    );
  });
}

function reply(port: MessagePort, r: Reply, notify: boolean): void {
  port.postMessage(r);
  if (notify) {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
  }
}

serve(syncPort, true);
serve(asyncPort, false);
parentPort?.postMessage('ready');
