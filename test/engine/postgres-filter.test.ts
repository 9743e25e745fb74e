// The filter language compiled to PostgreSQL SQL (engine/postgres/filter-sql.ts): the same
// hand-checked table and the same SQL-vs-JS property as on SQLite, through the engine's seam on
// a real server; every injection attempt leaves the tables as they were.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEngine } from '../../src/engine/postgres/engine.js';
import { compilePgFilter } from '../../src/engine/postgres/filter-sql.js';
import { withPostgresDefaults } from '../../src/engine/postgres/options.js';
import { parseFilter } from '../../src/stores/vectors/filter.js';
import { matchesFilter } from '../../src/stores/vectors/filter-match.js';
import { CASES, filterArb, metadataArb } from './filter-cases.js';
import { dropSchemas, freshSchema, adminQuery, PG_URL } from '../helpers/pg.js';
import { ALL_KEYS, docJson, NS, STORE } from './sqlite/vectors-filter-fixture.js';

let engine: PostgresEngine;
let schema: string;
const tables = () => adminQuery('SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema]);
const rows = () => adminQuery(`SELECT ns, store, key, value, version FROM "${schema}".records ORDER BY store, key`);
let tablesBefore: unknown;
let rowsBefore: unknown;

beforeAll(async () => {
  schema = freshSchema();
  engine = await PostgresEngine.open({
    ...withPostgresDefaults({ url: PG_URL, schema }),
    clock: Date.now,
    customClock: false,
    lockTimeoutMs: 5000,
    maxEvents: 100_000,
  });
  await engine.write((tx) => {
    for (const k of ALL_KEYS) tx.put(NS, STORE, k, docJson(k), { expiresAt: null });
  });
  tablesBefore = await tables();
  rowsBefore = await rows();
});
afterAll(async () => {
  await engine.close();
  await dropSchemas();
});

const keysOf = (filter: unknown) => engine.read((tx) => tx.scanWhere(NS, STORE, parseFilter(filter), { limit: 1000 }).map((r) => r.key));

describe('PostgreSQL filter: conformance table', () => {
  it.each(CASES.filter((c) => 'expect' in c).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const expected = [...(c as { expect: readonly string[] }).expect].sort();
    expect(await keysOf(c.filter)).toEqual(expected);
    expect(await engine.read((tx) => tx.countWhere(NS, STORE, parseFilter(c.filter)))).toBe(expected.length);
    // Values and paths are parameters: the SQL text holds only this compiler's fixed literals.
    const { sql, params } = compilePgFilter(parseFilter(c.filter), 'r.value', ['metadata'], 0);
    expect(sql.replace(/'(array|string|number|boolean|null|\{\})'/g, '').replace(/COLLATE "C"/g, '')).not.toMatch(/['"]/);
    expect(new Set(sql.match(/\$\d+/g)).size).toBe(params.length);
  });

  it('left every row and every table untouched', async () => {
    expect(await tables()).toEqual(tablesBefore);
    expect(await rows()).toEqual(rowsBefore);
  });
});

describe('PostgreSQL filter: SQL and matchesFilter agree (fast-check)', () => {
  it('on random filters over random metadata', async () => {
    let nonTrivial = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(metadataArb, { minLength: 1, maxLength: 12 }),
        fc.array(filterArb, { minLength: 1, maxLength: 4 }),
        async (metas, filters) => {
          const docs = metas.map(
            (m, i) => [`p${String(i).padStart(2, '0')}`, JSON.stringify(m === undefined ? { text: 't' } : { text: 't', metadata: m })] as const,
          );
          const nodes = filters.map((f) => parseFilter(f));
          const inSql = await engine.write((tx) => {
            tx.deleteAll(NS, 'prop');
            for (const [key, json] of docs) tx.put(NS, 'prop', key, json, { expiresAt: null });
            return nodes.map((n) => tx.scanWhere(NS, 'prop', n, { limit: 100 }).map((r) => r.key));
          });
          nodes.forEach((node, i) => {
            const inJs = docs.filter(([, json]) => matchesFilter(node, (JSON.parse(json) as { metadata?: unknown }).metadata)).map(([k]) => k);
            expect(inSql[i]).toEqual(inJs);
            if (inJs.length > 0 && inJs.length < docs.length) nonTrivial++;
          });
        },
      ),
      { numRuns: 300 },
    );
    expect(nonTrivial).toBeGreaterThan(50);
  });
});
