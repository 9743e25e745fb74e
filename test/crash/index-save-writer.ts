/**
 * Crash-test child for the derived vector index: `index-save-writer.ts <path> <seed>`.
 * Over and over: upsert a batch that replaces or adds documents (the collection stays past the
 * graph threshold), delete a few, search (the first search after opening builds the HNSW graph in
 * line: 'building' … 'built'), and close + reopen the store (close saves the index to
 * <db>-vectors/: 'saving' … 'saved'). Every step's completion is printed as 'ack'. The parent
 * SIGKILLs it at random moments, and on purpose just after 'building' or 'saving'.
 */
import { openMemex, type Memex } from '../../src/index.js';
import { rng } from '../../src/util/rng.js';
import { emitLine } from '../helpers/emit-line.js';

const [path, seedArg] = process.argv.slice(2);
if (!path || !seedArg) {
  process.stderr.write('usage: index-save-writer.ts <path> <seed>\n');
  process.exit(2);
}
const DIM = 32;
const POOL = 6000;
const r = rng(Number(seedArg));
const vec = () => Float32Array.from({ length: DIM }, () => r() - 0.5);
const say = (line: string) => emitLine({ say: line });

let mx: Memex = await openMemex({ path, durability: 'normal' });
for (;;) {
  for (let b = 0; b < 3; b++) {
    const base = Math.floor(r() * POOL);
    await mx.vectors.upsert(Array.from({ length: 400 }, (_, i) => ({ id: `d${(base + i) % POOL}`, vector: vec(), metadata: { b } })));
    say('ack');
  }
  await mx.vectors.delete(`d${Math.floor(r() * POOL)}`);
  say('building');
  await mx.vectors.search({ vector: vec(), topK: 10 });
  say('built');
  say('ack');
  say('saving');
  await mx.close();
  say('saved');
  mx = await openMemex({ path, durability: 'normal' });
  say('ack');
}
