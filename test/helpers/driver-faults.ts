// Faults injected at the driver boundary, the way SQLite's own tests use a VFS shim: every
// statement the engine executes on its better-sqlite3 connection is counted, and a planned call
// throws the SqliteError a failing disk produces (same class, same extended code), so the engine's
// real error handling, rollback and group-commit paths run — nothing above the driver is faked.
import Database from 'better-sqlite3';
import type { EngineFactory } from '../../src/index.js';
import { SqliteEngine } from '../../src/engine/sqlite/engine.js';
import { withSqliteDefaults, type SqliteSettings } from '../../src/engine/sqlite/options.js';

/** Which statements a fault can hit. */
export type CallKind = 'read' | 'write' | 'begin' | 'commit';

export const MESSAGES: Record<string, string> = {
  SQLITE_IOERR_READ: 'disk I/O error',
  SQLITE_IOERR_WRITE: 'disk I/O error',
  SQLITE_IOERR_FSYNC: 'disk I/O error',
  SQLITE_IOERR_SHORT_READ: 'disk I/O error',
  SQLITE_FULL: 'database or disk is full',
  SQLITE_READONLY: 'attempt to write a readonly database',
  SQLITE_READONLY_DBMOVED: 'attempt to write a readonly database',
};

interface Rule {
  readonly kinds: readonly CallKind[];
  readonly code: string;
  /** Fails this many matching calls from now (Infinity: until cleared). */
  remaining: number;
  /** Matching calls to let through first. */
  skip: number;
  /** Also roll the open transaction back, as SQLite may do after SQLITE_FULL or an I/O error. */
  readonly rollsBack: boolean;
}

/** A plan of faults for one connection; change it at any time. */
export class DriverFaults {
  /** Statements executed so far (faulted ones included). */
  calls = 0;
  /** Faults thrown so far. */
  thrown = 0;
  /** Statements executed so far by kind (faulted ones included). */
  readonly byKind: Record<CallKind, number> = { read: 0, write: 0, begin: 0, commit: 0 };
  private rules: Rule[] = [];
  private db: Database.Database | undefined;

  /** The `n`th matching call from now (1 = the next) fails, once. */
  failNth(n: number, kinds: readonly CallKind[], code: string, rollsBack = false): this {
    this.rules.push({ kinds, code, remaining: 1, skip: n - 1, rollsBack });
    return this;
  }

  /** Every matching call fails until {@link clear}. */
  failAll(kinds: readonly CallKind[], code: string, rollsBack = false): this {
    this.rules.push({ kinds, code, remaining: Infinity, skip: 0, rollsBack });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** The SQLite engine over a connection with this plan. */
  engine(settings: SqliteSettings): EngineFactory {
    const s = withSqliteDefaults(settings);
    return { kind: 'sqlite', open: async (common) => SqliteEngine.open({ ...s, ...common }, { wrapDatabase: (db) => this.wrap(db) }) };
  }

  private wrap(db: Database.Database): Database.Database {
    this.db = db;
    return new Proxy(db, {
      get: (target, p) => {
        if (p === 'prepare') return (sql: string) => this.statement(target.prepare(sql));
        const v: unknown = Reflect.get(target, p, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  private statement(st: Database.Statement): Database.Statement {
    const kind = kindOf(st);
    const proxy: Database.Statement = new Proxy(st, {
      get: (target, p) => {
        const v: unknown = Reflect.get(target, p, target);
        if (typeof v !== 'function') return v;
        const f = (v as (...a: unknown[]) => unknown).bind(target);
        if (p === 'run' || p === 'get' || p === 'all' || p === 'iterate') {
          return (...args: unknown[]) => {
            if (kind) this.maybeFail(kind);
            return f(...args);
          };
        }
        // raw(), pluck(), bind()… return the statement itself: keep returning the wrapped one.
        return (...args: unknown[]) => {
          const out = f(...args);
          return out === target ? proxy : out;
        };
      },
    });
    return proxy;
  }

  private maybeFail(kind: CallKind): void {
    this.calls++;
    this.byKind[kind]++;
    let rule: Rule | undefined;
    for (const r of this.rules) {
      if (r.remaining === 0 || !r.kinds.includes(kind)) continue;
      if (r.skip > 0) r.skip--;
      else rule ??= r;
    }
    if (!rule) return;
    rule.remaining--;
    this.thrown++;
    if (rule.rollsBack && this.db?.inTransaction) this.db.exec('ROLLBACK');
    throw new Database.SqliteError(MESSAGES[rule.code] ?? 'disk I/O error', rule.code);
  }
}

/** SAVEPOINT, RELEASE and ROLLBACK touch no file: a disk cannot fail them. */
function kindOf(st: Database.Statement): CallKind | undefined {
  const head = st.source.trimStart().slice(0, 16).toUpperCase();
  if (head.startsWith('BEGIN')) return 'begin';
  if (head.startsWith('COMMIT')) return 'commit';
  if (/^(SAVEPOINT|RELEASE|ROLLBACK)/.test(head)) return undefined;
  return st.reader && !/^(INSERT|UPDATE|DELETE)/.test(head) ? 'read' : 'write';
}
