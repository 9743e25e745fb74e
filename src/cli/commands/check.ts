import { openMemex } from '../../memex.js';
import { LOCKS, VECTORS, VECTORS_META } from '../../stores/names.js';
import { decodeVector, type DocRecord } from '../../stores/vectors/doc.js';
import { checkSavedGraph } from '../../stores/vectors/ann.js';
import { IndexFiles, type SavedIndex } from '../../stores/vectors/index-files.js';
import { openCheckDb, type CheckDb, type CheckFlags } from './check-db.js';
import { scopeOf } from './look.js';

/** One finding of `memex check`; `problem` ones make it exit 1. */
export interface Finding {
  readonly check: 'integrity' | 'feed' | 'vector index' | 'locks';
  readonly problem: boolean;
  readonly detail: string;
  readonly ns?: string;
}

const SHOWN = 20;
/** openMemex's default `events.maxEvents`. */
const DEFAULT_MAX_EVENTS = 100_000;

/**
 * Records whose version names no `set` event of theirs, among the events still retained.
 * Retention deletes the oldest events, keeping the newest `maxEvents`: below that line a record's
 * event may be gone by design; at or above it, it must be there.
 */
async function feedFindings(db: CheckDb, maxEvents: number): Promise<Finding[]> {
  const [ev] = await db.all<{ max: number | null; min: number | null }>(`SELECT max(seq) AS max, min(seq) AS min FROM ${db.events}`);
  const [rec] = await db.all<{ max: number | null }>(`SELECT max(version) AS max FROM ${db.records}`);
  const last = Math.max(ev?.max ?? 0, rec?.max ?? 0);
  const from = Math.min(ev?.min ?? last + 1, Math.max(1, last - maxEvents + 1));
  const rows = await db.all<{ ns: string; store: string; key: string; version: number }>(
    `SELECT r.ns, r.store, r.key, r.version FROM ${db.records} r LEFT JOIN ${db.events} e ON e.seq = r.version
     WHERE r.version >= ?
       AND (e.seq IS NULL OR e.op <> 'set' OR e.ns <> r.ns OR e.store <> r.store OR e.key IS DISTINCT FROM r.key)
     ORDER BY r.version LIMIT ?`,
    [from, SHOWN + 1],
  );
  return rows.slice(0, SHOWN).map((r) => ({
    check: 'feed',
    problem: true,
    ns: r.ns,
    detail: `${r.store} record ${JSON.stringify(r.key)} has version ${r.version} but the change feed has no such write`,
  }));
}

/** Whether each namespace's saved vector index loads and agrees with the records it was saved from. */
async function indexFindings(db: CheckDb, dir: string): Promise<Finding[]> {
  const out: Finding[] = [];
  const namespaces = (await db.all<{ ns: string }>(`SELECT DISTINCT ns FROM ${db.records} WHERE store = ?`, [VECTORS])).map((r) => r.ns);
  for (const ns of namespaces) {
    const files = new IndexFiles(dir, ns);
    if (!files.exists()) continue; // none saved yet: built on open
    const { saved, problem, corrupt = false } = files.load();
    const graphProblem = saved?.graph && graphFileProblem(saved.graph, saved.dimension);
    if (problem !== undefined || graphProblem !== undefined) {
      // Damaged files are a finding; a set saved by an older Memex is only rebuilt on open.
      const detail = `the saved index cannot be used (${problem ?? `the graph file ${graphProblem}`}); the next open rebuilds it from the records`;
      out.push({ check: 'vector index', problem: corrupt || graphProblem !== undefined, ns, detail });
    }
    if (!saved) continue;
    const [meta] = await db.all<{ value: string }>(`SELECT value FROM ${db.records} WHERE ns = ? AND store = ? AND key = 'id'`, [ns, VECTORS_META]);
    if (meta === undefined || JSON.parse(meta.value) !== saved.collection) continue; // another collection's: replaced on open
    const records = new Map<string, { version: number; v: string }>();
    const rows = await db.all<{ key: string; value: string; version: number }>(
      `SELECT key, value, version FROM ${db.records} WHERE ns = ? AND store = ?`,
      [ns, VECTORS],
    );
    for (const r of rows) records.set(r.key, { version: r.version, v: (JSON.parse(r.value) as DocRecord).v });
    const bad: string[] = [];
    const savedIds = new Set(saved.ids);
    saved.ids.forEach((id, i) => {
      const r = records.get(id);
      if (!r || r.version > saved.seq) return; // changed or deleted after the save: caught up on open
      const v = decodeVector(r.v);
      const s = saved.data.subarray(i * saved.dimension, (i + 1) * saved.dimension);
      if (v.length !== s.length || v.some((x, j) => x !== s[j])) bad.push(`${id} (vector differs)`);
    });
    for (const [id, r] of records) if (r.version <= saved.seq && !savedIds.has(id)) bad.push(`${id} (missing)`);
    if (bad.length > 0)
      out.push({
        check: 'vector index',
        problem: true,
        ns,
        detail: `${bad.length} documents disagree with the records: ${bad.slice(0, SHOWN).join(', ')}`,
      });
  }
  return out;
}

/**
 * Locks whose every holder's lease has ended: harmless (the next caller takes the lock over, and
 * a record whose waiters are gone too is invisible until a sweep purges it), but worth seeing
 * when a process seems stuck.
 */
async function lockFindings(db: CheckDb, now: number): Promise<Finding[]> {
  let held = 0;
  const stale: string[] = [];
  for (const r of await db.all<{ ns: string; key: string; value: string }>(`SELECT ns, key, value FROM ${db.records} WHERE store = ?`, [LOCKS])) {
    const holders = (JSON.parse(r.value) as { h?: { e: number }[] }).h ?? [];
    if (holders.some((h) => h.e > now)) held++;
    else stale.push(`${r.ns}/${r.key}`);
  }
  const without =
    stale.length > 0
      ? `; ${stale.length} without a live holder (the next caller takes over; \`memex sweep\` purges): ${stale.slice(0, SHOWN).join(', ')}`
      : '';
  return [{ check: 'locks', problem: false, detail: `${held} held by a live lease${without}` }];
}

/**
 * `memex check`: the storage's own integrity check (SQLite's full `integrity_check`; PostgreSQL's
 * `amcheck` where installed), every record against the change feed, and each saved vector index
 * against its records (on PostgreSQL with `--index-dir`, where the engine saves it). `--repair`
 * removes a saved index that disagrees and builds it again from the records. Resolves the
 * findings; the command exits 1 on a problem.
 */
export async function check(o: CheckFlags): Promise<Finding[]> {
  const db = await openCheckDb(o);
  const findings: Finding[] = [];
  const dir = db.indexDir;
  try {
    const integrity = await db.integrity();
    findings.push({ check: 'integrity', problem: !integrity.ok, detail: integrity.detail });
    if (integrity.ok) {
      const feed = await feedFindings(db, o.maxEvents ?? DEFAULT_MAX_EVENTS);
      findings.push(
        ...(feed.length > 0 ? feed : [{ check: 'feed', problem: false, detail: 'every record matches its write in the change feed' } as const]),
      );
      if (dir === undefined) {
        findings.push({
          check: 'vector index',
          problem: false,
          detail: 'not saved by this store (built in memory on open; give --index-dir if it uses one)',
        });
      } else {
        const index = await indexFindings(db, dir);
        findings.push(
          ...(index.length > 0 ? index : [{ check: 'vector index', problem: false, detail: 'every saved index agrees with its records' } as const]),
        );
      }
      findings.push(...(await lockFindings(db, Date.now())));
    }
  } finally {
    await db.close();
  }
  const broken = findings.filter((f) => f.check === 'vector index' && f.problem);
  if (!o.repair || broken.length === 0 || dir === undefined) return findings;
  for (const f of broken) new IndexFiles(dir, f.ns!).remove();
  const mx = await openMemex(
    o.url === undefined ? { path: o.path ?? './memex.db' } : { url: o.url, schema: o.schema ?? 'memex', indexDir: o.indexDir },
  );
  try {
    for (const f of broken) await scopeOf(mx, f.ns).vectors.waitForIndex();
  } finally {
    await mx.close(); // saves the rebuilt index
  }
  return findings.map((f) => (broken.includes(f) ? { ...f, problem: false, detail: `${f.detail} — repaired: rebuilt from the records` } : f));
}

/** Why usearch must not load a saved graph file, or undefined when it is of the shape it loads safely. */
function graphFileProblem(graph: NonNullable<SavedIndex['graph']>, dimension: number): string | undefined {
  try {
    checkSavedGraph(graph, dimension);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
