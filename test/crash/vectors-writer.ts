/**
 * Vector crash-test child: `vectors-writer.ts <path> <full|normal> <generation> <seed> <maxEvents>`.
 *
 * Runs POOLS concurrent loops forever (the parent SIGKILLs it); loop p owns the ids `p<p>-NNNN`
 * and, one operation at a time, picks:
 *   - upsert:      a batch of 5–50 documents with explicit 16-dimensional vectors (docFor);
 *   - bad:         the same, but the last document has 15 dimensions: the write fails inside its
 *                  transaction (the collection's dimension is checked there), nothing may remain;
 *   - delete:      one id of the pool (present or not);
 *   - deleteWhere: by batch, by group, by group-or-batches, or by index range, always within the pool.
 * Before an operation it prints an IssueLine, after its promise settled (now and then a moment
 * later: slowReply) an AckLine (or a RejectLine for a bad batch): one JSON line each, written
 * synchronously to fd 1 before the loop goes on, so a printed line survives the kill and no line is lost in a userland buffer.
 * It announces 'opening' before it opens the store and 'opened' once its first search loaded the
 * derived index (helpers/crash-writer.ts).
 * Now and then, right after an acknowledged upsert, the loop searches for one of the batch's
 * vectors within its pool (the searches keep the derived index busy while the kill lands) and
 * exits with an error if the document is not the top hit.
 */
import { openMemex, ValidationError, type VectorDoc } from '../../src/index.js';
import { isPgLocation, openAt } from '../helpers/location.js';
import {
  DIM,
  POOLS,
  batchId,
  deleteFilter,
  docFor,
  mulberry32,
  poolIds,
  type AckLine,
  type DeleteSpec,
  type IssueLine,
  type RejectLine,
} from '../fixtures/vectors-crash-model.js';
import { announce } from '../helpers/crash-writer.js';
import { emitLine } from '../helpers/emit-line.js';

const [path, durabilityArg, genArg, seedArg, maxEventsArg] = process.argv.slice(2);
if (!path || (durabilityArg !== 'full' && durabilityArg !== 'normal') || !genArg || !seedArg || !maxEventsArg) {
  process.stderr.write('usage: vectors-writer.ts <path> <full|normal> <generation> <seed> <maxEvents>\n');
  process.exit(2);
}
const g = Number(genArg);
const rng = mulberry32(Number(seedArg));
const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

// A PostgreSQL location (`pg:<schema>`) has no durability setting.
const events = { maxEvents: Number(maxEventsArg) };
// The announcements bracket the open (WAL recovery) and the first search, which loads the derived
// index (catching up on the killed writers' commits), for kills aimed at startup.
announce('opening');
const mx = isPgLocation(path) ? await openAt(path, { events }) : await openMemex({ path, durability: durabilityArg, events });
await mx.vectors.search({ vector: Float32Array.from({ length: DIM }, () => rng() - 0.5), topK: 1 });
announce('opened');
let seq = 0;

/** One line to the parent, before the next write is issued (see emitLine). */
const emit = (line: IssueLine | AckLine | RejectLine): void => emitLine(line);

/**
 * One reply in four reaches the caller 2–10 ms after the commit (as over a slow network): without
 * it the commit-to-acknowledgement window is a few microseconds and a run of 30 kills can miss it,
 * so the parent's check of "committed but never acknowledged" operations would go unexercised.
 */
async function slowReply(): Promise<void> {
  if (rng() < 0.25) await new Promise((resolve) => setTimeout(resolve, int(2, 10)));
}

function pick<T>(pool: readonly T[], n: number): T[] {
  const rest = [...pool];
  const out: T[] = [];
  while (out.length < n && rest.length > 0) out.push(rest.splice(Math.floor(rng() * rest.length), 1)[0] as T);
  return out;
}

const toVectorDoc = (d: ReturnType<typeof docFor>): VectorDoc =>
  d.text === null
    ? { id: d.id, vector: d.vector, metadata: { ...d.metadata } }
    : { id: d.id, text: d.text, vector: d.vector, metadata: { ...d.metadata } };

async function loop(p: number): Promise<never> {
  const ids = poolIds(p);
  const myBatches: string[] = [];
  for (;;) {
    const r = rng();
    const s = ++seq;
    if (r < 0.6) {
      const batch = pick(ids, int(5, 50));
      const b = batchId(g, s);
      const docs = batch.map((id, idx) => docFor(b, id, idx, batch.length));
      emit({ i: s, g, p, op: 'upsert', ids: batch });
      await mx.vectors.upsert(docs.map(toVectorDoc));
      await slowReply();
      emit({ a: s, g });
      myBatches.push(b);
      const probe = docs.find((d) => !d.dup);
      if (probe && rng() < 0.3) {
        const hits = await mx.vectors.search({ vector: probe.vector, topK: 3, filter: { pool: p } });
        if (hits[0]?.id !== probe.id || Math.abs(hits[0].score - 1) > 1e-6) {
          throw new Error(
            `search for the vector of ${probe.id} (batch ${b}, just acknowledged) returned ${JSON.stringify(hits.map((h) => [h.id, h.score]))}`,
          );
        }
      }
    } else if (r < 0.67) {
      const batch = pick(ids, int(5, 50));
      const b = batchId(g, s);
      const docs = batch.map((id, idx) => toVectorDoc(docFor(b, id, idx, batch.length)));
      docs[docs.length - 1]!.vector = new Float32Array(DIM - 1).fill(0.5);
      emit({ i: s, g, p, op: 'bad', ids: batch });
      try {
        await mx.vectors.upsert(docs);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        emit({ r: s, g });
        continue;
      }
      throw new Error(`bad batch ${b} (a ${DIM - 1}-dimensional vector in a ${DIM}-dimensional collection) was accepted`);
    } else if (r < 0.82) {
      const id = ids[int(0, ids.length - 1)]!;
      emit({ i: s, g, p, op: 'delete', ids: [id] });
      const existed = await mx.vectors.delete(id);
      await slowReply();
      emit({ a: s, g, existed });
    } else {
      const k = rng();
      const old = myBatches.length > 0 ? myBatches[int(0, myBatches.length - 1)]! : batchId(g, 0);
      const spec: DeleteSpec =
        k < 0.4
          ? { k: 'batch', b: old }
          : k < 0.6
            ? { k: 'group', gr: int(0, 4) }
            : k < 0.8
              ? { k: 'mix', gr: int(0, 4), bs: [old, batchId(g - 1, int(1, 50))] }
              : { k: 'tail', idx: int(3, 45) };
      emit({ i: s, g, p, op: 'deleteWhere', spec });
      const { deleted } = await mx.vectors.deleteWhere(deleteFilter(p, spec));
      await slowReply();
      emit({ a: s, g, deleted });
    }
  }
}

try {
  await Promise.all(Array.from({ length: POOLS }, (_, p) => loop(p)));
} catch (e) {
  process.stderr.write(`vectors-writer failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
}
