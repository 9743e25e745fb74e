/**
 * Crash-test child for the derived vector index: `index-save-writer.ts <path> <seed>`.
 * Over and over: delete a few documents, upsert three batches that replace or add documents (the
 * collection stays past the graph threshold), search (the first search after opening loads the
 * saved index, catches up on the events since and builds the HNSW graph in line: 'building' …
 * 'built'), and close + reopen the store (close saves the index to <db>-vectors/: 'saving' …
 * 'saved'). Every step's completion is printed as 'ack'. The parent SIGKILLs it at random moments,
 * and on purpose just after 'building' or 'saving'.
 *
 * The change feed keeps only MAX_EVENTS events, fewer than a round writes (5 + 3 x 400): an index
 * saved a whole round ago cannot catch up and must be rebuilt from the records, one saved a batch
 * or two ago catches up on the deletes and replaced vectors since.
 */
import { openMemex, type Memex } from '../../src/index.js';
import { rng } from '../../src/util/rng.js';
import { emitLine } from '../helpers/emit-line.js';

const [path, seedArg] = process.argv.slice(2);
if (!path || !seedArg) {
  process.stderr.write('usage: index-save-writer.ts <path> <seed>\n');
  process.exit(2);
}
const MAX_EVENTS = 1000;
const DIM = 32;
const POOL = 4000;
const r = rng(Number(seedArg));
const vec = () => Float32Array.from({ length: DIM }, () => r() - 0.5);
const say = (line: string) => emitLine({ say: line });
const open = () => openMemex({ path, durability: 'normal', events: { maxEvents: MAX_EVENTS } });

let mx: Memex = await open();
for (;;) {
  for (let d = 0; d < 5; d++) await mx.vectors.delete(`d${Math.floor(r() * POOL)}`);
  say('ack');
  for (let b = 0; b < 3; b++) {
    const base = Math.floor(r() * POOL);
    await mx.vectors.upsert(Array.from({ length: 400 }, (_, i) => ({ id: `d${(base + i) % POOL}`, vector: vec(), metadata: { b } })));
    say('ack');
  }
  say('building');
  await mx.vectors.search({ vector: vec(), topK: 10 });
  say('built');
  say('ack');
  say('saving');
  await mx.close();
  say('saved');
  mx = await open();
  say('ack');
}
