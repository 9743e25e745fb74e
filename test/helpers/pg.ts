import pg from 'pg';

/**
 * The PostgreSQL server the tests use: `MEMEX_PG_URL`, or the local cluster `.ci/run` starts.
 * A test that cannot reach it fails; it never skips.
 */
export const PG_URL = process.env.MEMEX_PG_URL ?? 'postgres://memex:memex@127.0.0.1:5432/memex';

let n = 0;
const created: string[] = [];

/** A schema name no test has used (the engine creates it on open). */
export function freshSchema(): string {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${n++}`;
  created.push(name);
  return name;
}

/** Runs SQL as the test role, outside any engine. */
export async function adminQuery<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Drops every schema `freshSchema` handed out so far. */
export async function dropSchemas(): Promise<void> {
  const names = created.splice(0);
  if (names.length === 0) return;
  await adminQuery(names.map((s) => `DROP SCHEMA IF EXISTS "${s}" CASCADE`).join('; '));
}
