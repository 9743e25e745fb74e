// One node of bench/pg.ts: runs one variant for `ms` after 'go' on stdin, prints one JSON line.
//   pg-child.ts <variant> <schema> <callers> <ms> <node>
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openMemex } from '../src/index.js';
import { PG_URL as URL_ } from '../test/helpers/pg.js';

const [variant, schema, callersArg, msArg, nodeArg] = process.argv.slice(2);
const callers = Number(callersArg);
const node = Number(nodeArg);
const table = `"${schema}".raw_kv`;

type Op = (caller: number, i: number) => Promise<void>;
let op: Op;
let close: () => Promise<void>;
let stats: () => Promise<unknown> = async () => undefined;

if (variant!.startsWith('memex')) {
  const mx = await openMemex({ url: URL_, schema: schema!, pool: { max: 4 } });
  close = () => mx.close();
  stats = async () => (await mx.stats()).lock;
  if (variant === 'memex-update') op = async () => void (await mx.kv.update<number>('hot', (n = 0) => n + 1));
  else if (variant === 'memex-set') op = async (c, i) => void (await mx.kv.set(`n${node}-${c}-${i % 500}`, i));
  else op = async (c, i) => void (await mx.kv.get(`n${node}-${c}-${i % 500}`));
} else {
  const pool = new pg.Pool({ connectionString: URL_, max: callers });
  close = () => pool.end();
  if (variant === 'raw-update') {
    op = async () => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const r = await c.query(`SELECT v FROM ${table} WHERE k = 'hot' FOR UPDATE`);
        await c.query(`UPDATE ${table} SET v = $1 WHERE k = 'hot'`, [Number((r.rows[0] as { v: string }).v) + 1]);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
  } else if (variant === 'naive-update') {
    // LangGraph.js PostgresStore's put: read, compute, INSERT … ON CONFLICT DO UPDATE, no lock.
    op = async () => {
      const r = await pool.query(`SELECT v FROM ${table} WHERE k = 'hot'`);
      const v = Number((r.rows[0] as { v: string } | undefined)?.v ?? 0) + 1;
      await pool.query(`INSERT INTO ${table} (k, v) VALUES ('hot', $1) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, [v]);
    };
  } else if (variant === 'raw-set') {
    op = async (c, i) =>
      void (await pool.query(`INSERT INTO ${table} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, [
        `n${node}-${c}-${i % 500}`,
        i,
      ]));
  } else op = async (c, i) => void (await pool.query(`SELECT v FROM ${table} WHERE k = $1`, [`n${node}-${c}-${i % 500}`]));
}

process.stdout.write('ready\n');
await new Promise((r) => createInterface({ input: process.stdin }).once('line', r));
const end = performance.now() + Number(msArg);
let ops = 0;
let errors = 0;
await Promise.all(
  Array.from({ length: callers }, async (_, c) => {
    for (let i = 0; performance.now() < end; i++) {
      try {
        await op(c, i);
        ops++;
      } catch {
        errors++;
      }
    }
  }),
);
const lock = await stats();
await close();
process.stdout.write(`${JSON.stringify({ ops, errors, lock })}\n`);
