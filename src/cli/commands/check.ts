import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StorageError } from '../../errors.js';
import { openMemex } from '../../memex.js';
import { LOCKS, VECTORS, VECTORS_META } from '../../stores/names.js';
import { decodeVector, type DocRecord } from '../../stores/vectors/doc.js';
import { IndexFiles } from '../../stores/vectors/index-files.js';
import { scopeOf, type LookFlags } from './look.js';

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
function feedFindings(db: Database.Database, maxEvents: number): Finding[] {
  const last = db
    .prepare('SELECT max(coalesce((SELECT max(seq) FROM events), 0), coalesce((SELECT max(version) FROM records), 0))')
    .pluck()
    .get() as number;
  const oldest = db.prepare('SELECT min(seq) FROM events').pluck().get() as number | null;
  const from = Math.min(oldest ?? last + 1, Math.max(1, last - maxEvents + 1));
  const rows = db
    .prepare(
      `SELECT r.ns, r.store, r.key, r.version FROM records r LEFT JOIN events e ON e.seq = r.version
       WHERE r.version >= ${from}
         AND (e.seq IS NULL OR e.op <> 'set' OR e.ns <> r.ns OR e.store <> r.store OR e.key IS NOT r.key)
       ORDER BY r.version LIMIT ${SHOWN + 1}`,
    )
    .all() as { ns: string; store: string; key: string; version: number }[];
  return rows.slice(0, SHOWN).map((r) => ({
    check: 'feed',
    problem: true,
    ns: r.ns,
    detail: `${r.store} record ${JSON.stringify(r.key)} has version ${r.version} but the change feed has no such write`,
  }));
}

/** Whether each namespace's saved vector index loads and agrees with the records it was saved from. */
function indexFindings(db: Database.Database, dir: string): Finding[] {
  const out: Finding[] = [];
  const namespaces = (db.prepare('SELECT DISTINCT ns FROM records WHERE store = ?').all(VECTORS) as { ns: string }[]).map((r) => r.ns);
  for (const ns of namespaces) {
    const files = new IndexFiles(dir, ns);
    if (!files.exists()) continue; // none saved yet: built on open
    const saved = files.load();
    if (!saved) {
      out.push({ check: 'vector index', problem: true, ns, detail: 'the saved index cannot be loaded (damaged or incomplete files)' });
      continue;
    }
    const meta = db.prepare("SELECT value FROM records WHERE ns = ? AND store = ? AND key = 'id'").pluck().get(ns, VECTORS_META) as
      string | undefined;
    if (meta === undefined || JSON.parse(meta) !== saved.collection) continue; // another collection's: replaced on open
    const records = new Map<string, { version: number; v: string }>();
    for (const r of db.prepare('SELECT key, value, version FROM records WHERE ns = ? AND store = ?').iterate(ns, VECTORS) as Iterable<{
      key: string;
      value: string;
      version: number;
    }>) {
      records.set(r.key, { version: r.version, v: (JSON.parse(r.value) as DocRecord).v });
    }
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
function lockFindings(db: Database.Database, now: number): Finding[] {
  let held = 0;
  const stale: string[] = [];
  for (const r of db.prepare('SELECT ns, key, value FROM records WHERE store = ?').iterate(LOCKS) as Iterable<{
    ns: string;
    key: string;
    value: string;
  }>) {
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
 * `memex check`: SQLite's full integrity check, every record against the change feed, and each
 * saved vector index against its records. `--repair` removes a saved index that disagrees and
 * builds it again from the records. Resolves the findings; the command exits 1 on a problem.
 */
export async function check(o: LookFlags & { repair?: boolean; maxEvents?: number }): Promise<Finding[]> {
  if (o.url !== undefined)
    throw new StorageError('check reads a SQLite file: give --path (PostgreSQL checks its own pages; see the README)', 'MEMEX_NO_CHECK');
  const path = o.path ?? './memex.db';
  if (!existsSync(path)) throw new StorageError(`${path} does not exist`, 'ENOENT');
  const db = new Database(path, { fileMustExist: true });
  let findings: Finding[];
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    findings = [{ check: 'integrity', problem: integrity !== 'ok', detail: `integrity_check: ${integrity}` }];
    if (integrity === 'ok') {
      const feed = feedFindings(db, o.maxEvents ?? DEFAULT_MAX_EVENTS);
      const index = indexFindings(db, `${path}-vectors`);
      findings.push(
        ...(feed.length > 0 ? feed : [{ check: 'feed', problem: false, detail: 'every record matches its write in the change feed' } as const]),
      );
      findings.push(
        ...(index.length > 0 ? index : [{ check: 'vector index', problem: false, detail: 'every saved index agrees with its records' } as const]),
      );
      findings.push(...lockFindings(db, Date.now()));
    }
  } finally {
    db.close();
  }
  if (!o.repair) return findings;
  const broken = findings.filter((f) => f.check === 'vector index' && f.problem);
  if (broken.length === 0) return findings;
  for (const f of broken) new IndexFiles(`${path}-vectors`, f.ns!).remove();
  const mx = await openMemex({ path });
  try {
    for (const f of broken) await scopeOf(mx, f.ns).vectors.waitForIndex();
  } finally {
    await mx.close(); // saves the rebuilt index
  }
  return findings.map((f) => (broken.includes(f) ? { ...f, problem: false, detail: `${f.detail} — repaired: rebuilt from the records` } : f));
}
