import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ClosedError, StorageError, ValidationError } from '../../errors.js';
import type { Engine, EngineCapabilities, EngineOpenOptions, EngineStats, HealthCheck, ReadTx, WriteTx } from '../types.js';
import { Bridge } from './bridge.js';
import { toStorageError } from './errors.js';
import type { ResolvedPostgresSettings } from './options.js';
import type { PoolState, Slot, Statement, StatementResult } from './protocol.js';
import { LOCK_CLASS, lockKeys, migrations, quoteIdent, SCHEMA_VERSION } from './schema.js';
import { fixedTexts, statements, type Statements } from './statements.js';
import { PgTx } from './tx.js';
import { NOW_MS, NOW_MS_EXACT, PgWriteQueue } from './write-queue.js';

export type PostgresEngineOptions = ResolvedPostgresSettings & EngineOpenOptions & { readonly customClock: boolean };

const RECENT_TIMEOUT_WINDOW_MS = 60_000;
let nextEngineId = 1;

/**
 * The fleet engine: any number of nodes on any number of machines share one PostgreSQL schema.
 * Writers serialize on the schema's transaction-level advisory lock (so seq order is commit order
 * and the change feed never skips); reads never take it. Seam callbacks stay synchronous: each
 * statement they make is a blocking round trip to the driver thread (bridge.ts).
 */
export class PostgresEngine implements Engine {
  readonly kind = 'postgres';
  /** The database's clock, so every node agrees; the caller's when it gave one. */
  readonly clockSource: 'given' | 'storage';
  readonly capabilities: EngineCapabilities = {
    multiProcess: true,
    multiHost: true,
    durableFull: true,
    backup: false,
    persistent: true,
    fullText: true,
  };
  private readonly id = nextEngineId++;
  private readonly sql: Statements;
  private readonly fixed: ReadonlySet<string>;
  private readonly readTx: PgTx;
  private readonly queue: PgWriteQueue;
  private readonly syncTimeoutMs: number;
  /** The database's clock minus ours, as last measured: reads use it instead of a round trip. */
  private clockOffset = 0;
  /** A snapshot read is running: its first statement begins the REPEATABLE READ transaction. */
  private snapshotWanted = false;
  private snapshotOpen = false;
  private reads = 0;
  private closed = false;

  private constructor(
    private readonly o: PostgresEngineOptions,
    private readonly bridge: Bridge,
  ) {
    this.clockSource = o.customClock ? 'given' : 'storage';
    this.sql = statements(o.schema);
    this.fixed = fixedTexts(this.sql);
    this.syncTimeoutMs = o.statementTimeoutMs + 2000;
    this.readTx = new PgTx(this.sql, (list) => this.execRead(list), false);
    const keys = lockKeys(o.schema);
    const writeTx = new PgTx(this.sql, (list) => this.execSync('W', list), true);
    this.queue = new PgWriteQueue(writeTx, {
      run: (list, oneText) => this.run('W', list, undefined, oneText),
      sql: {
        lock: `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${keys.write})`,
        clockAndSeq: `SELECT ${NOW_MS} AS now, ${NOW_MS_EXACT} AS t1, (SELECT coalesce(max(seq), 0) FROM ${this.sql.eventsTable})::int8 AS seq`,
      },
      clock: o.customClock ? o.clock : undefined,
      lockTimeoutMs: o.lockTimeoutMs,
      maxBatch: o.maxBatch,
      maxEvents: o.maxEvents,
      observeClock: (dbNow) => {
        this.clockOffset = dbNow - Date.now();
      },
    });
  }

  /** Connects, migrates the schema if needed (once across the fleet), and returns the engine. */
  static async open(o: PostgresEngineOptions): Promise<PostgresEngine> {
    const bridge = Bridge.acquire();
    const engine = new PostgresEngine(o, bridge);
    try {
      await bridge.call(
        {
          op: 'open',
          engine: engine.id,
          pool: {
            connectionString: o.url,
            max: o.max,
            connectionTimeoutMs: o.connectionTimeoutMs,
            statementTimeoutMs: o.statementTimeoutMs,
            idleInTransactionTimeoutMs: o.idleInTransactionTimeoutMs,
            // Names the store in pg_stat_activity (and lets an operator end exactly its sessions).
            applicationName: `memex/${o.schema}`.slice(0, 63),
          },
        },
        toStorageError('cannot open the PostgreSQL engine'),
      );
      await engine.migrate();
    } catch (e) {
      await bridge.call({ op: 'close', engine: engine.id }).catch(() => undefined);
      bridge.release();
      throw e;
    }
    return engine;
  }

  private async migrate(): Promise<void> {
    const s = quoteIdent(this.o.schema);
    const meta = `${s}.memex_meta`;
    const key = lockKeys(this.o.schema).migrate;
    const map = toStorageError(`cannot prepare schema "${this.o.schema}"`);
    const r = await this.run(
      'W',
      [
        { sql: 'BEGIN' },
        { sql: `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${key})` },
        { sql: "SELECT current_setting('server_encoding') AS enc" },
        { sql: `CREATE SCHEMA IF NOT EXISTS ${s}` },
        { sql: `CREATE TABLE IF NOT EXISTS ${meta} (id int PRIMARY KEY CHECK (id = 1), schema_version int NOT NULL)` },
        { sql: `SELECT schema_version AS v, ${NOW_MS} AS now FROM ${meta}` },
        { sql: `SELECT ${NOW_MS} AS now` },
      ],
      map,
    );
    try {
      if (r[2]!.rows[0]!.enc !== 'UTF8') {
        throw new StorageError(
          `the database's encoding is ${String(r[2]!.rows[0]!.enc)}; Memex needs UTF8 (CREATE DATABASE … ENCODING 'UTF8')`,
          'MEMEX_ENCODING',
        );
      }
      this.clockOffset = (r[6]!.rows[0]!.now as number) - Date.now();
      const from = (r[5]!.rows[0]?.v as number | undefined) ?? 0;
      if (from > SCHEMA_VERSION) {
        throw new StorageError(
          `schema "${this.o.schema}" was created by a newer Memex (schema version ${from}, this one knows ${SCHEMA_VERSION})`,
          'MEMEX_SCHEMA',
        );
      }
      if (from < SCHEMA_VERSION) {
        const steps: Statement[] = migrations(this.o.schema)
          .slice(from)
          .map((sql) => ({ sql }));
        steps.push({
          sql: `INSERT INTO ${meta} (id, schema_version) VALUES (1, ${SCHEMA_VERSION}) ON CONFLICT (id) DO UPDATE SET schema_version = excluded.schema_version`,
        });
        await this.run('W', steps, map);
      }
      await this.run('W', [{ sql: 'COMMIT' }], map);
    } catch (e) {
      await this.run('W', [{ sql: 'ROLLBACK' }]).catch(() => undefined);
      throw e;
    }
  }

  /** Under `indexDir`, one directory per database and schema (a node may serve several). */
  derivedPath(name: string): string | undefined {
    if (this.o.indexDir === undefined) return undefined;
    const u = new URL(this.o.url);
    const db = createHash('sha256').update(`${u.hostname}:${u.port}${u.pathname}`).digest('hex').slice(0, 12);
    return join(this.o.indexDir, `${db}-${this.o.schema}-${name}`);
  }

  read<T>(fn: (tx: ReadTx) => T): Promise<T> {
    return this.reading(fn, false);
  }

  snapshot<T>(fn: (tx: ReadTx) => T): Promise<T> {
    return this.reading(fn, true);
  }

  // async: whatever fn throws (a callback's own error, a StorageError) becomes the rejection.
  private async reading<T>(fn: (tx: ReadTx) => T, snapshot: boolean): Promise<T> {
    this.assertOpen();
    this.reads++;
    this.readTx.now = this.o.customClock ? this.o.clock() : Date.now() + this.clockOffset;
    if (!snapshot) return fn(this.readTx);
    this.snapshotOpen = false;
    this.snapshotWanted = true;
    try {
      return fn(this.readTx);
    } finally {
      this.snapshotWanted = false;
      // In order with the reads on the same connection; nothing waits for its answer.
      if (this.snapshotOpen) this.bridge.postSync({ op: 'run', engine: this.id, slot: 'R', statements: [{ sql: 'COMMIT' }] });
      this.snapshotOpen = false;
    }
  }

  /** A snapshot begins lazily, with its first statement (a callback that reads nothing costs nothing). */
  private execRead(list: Statement[]): StatementResult[] {
    if (this.snapshotWanted && !this.snapshotOpen) {
      this.snapshotOpen = true;
      return this.execSync('R', [{ sql: 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY' }, ...list]).slice(1);
    }
    return this.execSync('R', list);
  }

  private execSync(slot: Slot, list: Statement[]): StatementResult[] {
    return this.bridge.callSync<StatementResult[]>(
      { op: 'run', engine: this.id, slot, statements: list },
      this.syncTimeoutMs,
      toStorageError('postgres'),
    );
  }

  private run(slot: Slot, list: Statement[], map = toStorageError('postgres'), oneText = false): Promise<StatementResult[]> {
    return this.bridge.call<StatementResult[]>({ op: 'run', engine: this.id, slot, statements: this.marked(list), oneText }, map);
  }

  private marked(list: Statement[]): Statement[] {
    return list.map((s) => (this.fixed.has(s.sql) ? { ...s, prepare: true } : s));
  }

  write<T>(fn: (tx: WriteTx) => T): Promise<T> {
    this.assertOpen();
    return this.queue.enqueue(fn);
  }

  stats(): EngineStats {
    return this.queue.statsWith(this.reads);
  }

  async health(): Promise<HealthCheck[]> {
    this.assertOpen();
    const checks: HealthCheck[] = [];
    try {
      const r = await this.run('X', [
        {
          sql:
            "SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fsync, " +
            "current_setting('statement_timeout') AS st, current_setting('idle_in_transaction_session_timeout') AS it",
        },
        { sql: `SELECT schema_version AS v FROM ${quoteIdent(this.o.schema)}.memex_meta` },
      ]);
      const s = r[0]!.rows[0]!;
      const v = r[1]!.rows[0]?.v;
      const durable = s.fsync === 'on' && s.sc !== 'off';
      checks.push({
        name: 'storage',
        ok: v === SCHEMA_VERSION,
        detail: `postgres ${String(s.version)}, schema "${this.o.schema}" version ${String(v)}, fsync=${String(s.fsync)}, synchronous_commit=${String(s.sc)}, statement_timeout=${String(s.st)}, idle_in_transaction_session_timeout=${String(s.it)}${durable ? '' : ' (commits may be lost on a crash of the database)'}`,
      });
      // The engine declares durableFull; the server's own settings say whether that holds.
      const settings = `fsync=${String(s.fsync)}, synchronous_commit=${String(s.sc)}`;
      checks.push({
        name: 'durability',
        ok: durable,
        detail: durable
          ? `full: the database flushes every commit before it is acknowledged (${settings})`
          : `reduced: commits may be lost on a crash of the database (${settings})`,
      });
    } catch (e) {
      checks.push({ name: 'storage', ok: false, detail: `database unreachable: ${(e as Error).message}` });
    }
    try {
      const p = await this.bridge.call<PoolState>({ op: 'pool', engine: this.id });
      checks.push({
        name: 'pool',
        ok: p.waiting === 0,
        detail: `${p.total - p.idle} of ${p.max} connections in use, ${p.idle} idle, ${p.waiting} waiting`,
        value: p.total - p.idle,
      });
    } catch (e) {
      checks.push({ name: 'pool', ok: false, detail: (e as Error).message });
    }
    const cutoff = Date.now() - RECENT_TIMEOUT_WINDOW_MS;
    const recent = this.queue.recentTimeouts.filter((t) => t >= cutoff).length;
    checks.push({ name: 'lockTimeouts', ok: recent === 0, detail: `${recent} lock timeouts in the last 60 s` });
    return checks;
  }

  backup(): Promise<void> {
    return Promise.reject(
      new ValidationError('backup', 'the PostgreSQL engine has no file backup (capabilities.backup is false): use pg_dump, or `memex export`'),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.idle();
    await this.bridge.call({ op: 'close', engine: this.id }).catch(() => undefined);
    this.bridge.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError();
  }
}
