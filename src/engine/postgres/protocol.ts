/**
 * Messages between a PostgreSQL engine (main thread) and the driver thread (driver-thread.ts).
 * Plain data only: everything crosses a MessagePort by structured clone.
 */

/** One SQL statement with its bound parameters (never interpolated). */
export interface Statement {
  readonly sql: string;
  readonly params?: readonly unknown[];
  /** Prepare it once per connection (fixed texts only: dynamic ones would grow the server's cache). */
  readonly prepare?: boolean;
}

/** The result of one statement. */
export interface StatementResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number;
}

/** Connection settings of one engine's pool on the driver thread. */
export interface PoolSettings {
  readonly connectionString: string;
  readonly max: number;
  readonly connectionTimeoutMs: number;
  readonly statementTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
  readonly applicationName: string;
}

/**
 * A connection slot of one engine: `W` carries its write transactions, `R` its reads and
 * snapshots. The main thread never uses one slot for two things at once (writes are queued, and
 * a read callback runs to completion synchronously), so each slot is one pooled connection.
 */
export type Slot = 'R' | 'W' | 'X';

export type Request =
  | { readonly op: 'open'; readonly engine: number; readonly pool: PoolSettings }
  | {
      readonly op: 'run';
      readonly engine: number;
      readonly slot: Slot;
      readonly statements: readonly Statement[];
      /** Send them as one simple-protocol text (parameters inlined as literals): one round trip. */
      readonly oneText?: boolean;
    }
  | { readonly op: 'pool'; readonly engine: number }
  | { readonly op: 'close'; readonly engine: number };

export interface WireError {
  readonly message: string;
  /** SQLSTATE, or the network error's code (ECONNREFUSED…). */
  readonly code: string | undefined;
}

export type Reply =
  { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: WireError };

export interface PoolState {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  readonly max: number;
}
