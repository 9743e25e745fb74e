import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * What a graph file must be before usearch's native loader may read it. usearch 2.25.3 trusts a
 * file completely: a neighbour slot past the end, a level that disagrees with the node's, or even
 * a well-formed file of its own with removed slots (`count_deleted > 0`, which Memex used to
 * save) corrupts the heap and aborts the process (issue 28; `../shared/fixtures/usearch-load-crash`).
 * So every file is read through once in JavaScript first, and only one of exactly the shape Memex
 * writes — no removed slots, keys 0..n-1 each once, every level and neighbour in range, the size
 * adding up — is handed over.
 */
export interface GraphShape {
  readonly dimension: number;
  /** Nodes the graph must hold (live and tombstoned alike: Memex never removes natively). */
  readonly nodes: number;
  readonly connectivity: number;
  /** The whole file's CRC-32 as recorded when it was saved (absent for a build's scratch file). */
  readonly crc?: number;
}

/** usearch's codes (index_plugins.hpp) for what Memex builds: cosine, i8 scalars, u64 keys, u32 slots. */
const METRIC_COS = 0x63;
const SCALAR_I8 = 23;
const KEY_U64 = 14;
const SLOT_U32 = 15;
const MAGIC = 'usearch';
const VERSION_MAJOR = 2;
const DENSE_HEAD_BYTES = 64;
/** A level beyond this is no HNSW graph Memex could have built (log_32 of 2^64 is under 13). */
const MAX_LEVEL = 64;
const CHUNK = 1 << 22;

/** Sequential little-endian reads over a file in chunks, with the CRC-32 of every byte read. */
class ChunkReader {
  private buf = Buffer.alloc(CHUNK);
  private start = 0;
  private end = 0;
  /** File offset of `buf[0]`. */
  private base = 0;
  crc = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  get offset(): number {
    return this.base + this.start;
  }

  /** Makes `n` bytes available at `start` (n ≤ CHUNK); false at the end of the file. */
  private ensure(n: number): boolean {
    if (this.end - this.start >= n) return true;
    this.buf.copy(this.buf, 0, this.start, this.end);
    this.base += this.start;
    this.end -= this.start;
    this.start = 0;
    while (this.end < n) {
      const got = readSync(this.fd, this.buf, this.end, CHUNK - this.end, this.base + this.end);
      if (got === 0) return false;
      this.crc = crc32(this.buf.subarray(this.end, this.end + got), this.crc);
      this.end += got;
    }
    return true;
  }

  private take(n: number): number {
    if (!this.ensure(n)) throw new GraphFileError(`ends at byte ${this.size}, inside a record at ${this.offset}`);
    const at = this.start;
    this.start += n;
    return at;
  }

  u8(): number {
    return this.buf.readUInt8(this.take(1));
  }
  u16(): number {
    return this.buf.readUInt16LE(this.take(2));
  }
  i16(): number {
    return this.buf.readInt16LE(this.take(2));
  }
  u32(): number {
    return this.buf.readUInt32LE(this.take(4));
  }
  /** A u64 as a number; anything of 2^53 or more is refused (no count or key of ours is). */
  u64(what: string): number {
    const at = this.take(8);
    const high = this.buf.readUInt32LE(at + 4);
    if (high >= 1 << 21) throw new GraphFileError(`${what} is out of range`);
    return high * 2 ** 32 + this.buf.readUInt32LE(at);
  }
  text(n: number): string {
    const at = this.take(n);
    return this.buf.toString('latin1', at, at + n);
  }
  /** `count` u32s at the current position, checked with `ok`; then skips `slots - count`. */
  slots(count: number, slots: number, ok: (v: number) => boolean): boolean {
    const at = this.take(slots * 4);
    for (let i = 0; i < count; i++) if (!ok(this.buf.readUInt32LE(at + i * 4))) return false;
    return true;
  }
  skip(n: number): void {
    while (n > 0) {
      const step = Math.min(n, CHUNK);
      this.take(step);
      n -= step;
    }
  }
  /** Reads what is left (to finish the CRC); true when nothing was. */
  atEnd(): boolean {
    if (this.end > this.start || this.ensure(1)) return false;
    return this.offset === this.size;
  }
}

/** A graph file that must not be loaded; the message says why. */
export class GraphFileError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'GraphFileError';
  }
}

const must = (cond: boolean, reason: string): void => {
  if (!cond) throw new GraphFileError(reason);
};

/**
 * Reads `file` through and throws {@link GraphFileError} unless it is a usearch graph of exactly
 * `shape` (and, when `shape.crc` is given, the very file that was saved); returns the file's
 * CRC-32. Costs one sequential read of the file.
 */
export function checkGraphFile(file: string, shape: GraphShape): number {
  const fd = openSync(file, 'r');
  try {
    const r = new ChunkReader(fd, fstatSync(fd).size);
    checkLayout(r, shape);
    must(r.atEnd(), `has ${r.size - r.offset} bytes after the graph`);
    if (shape.crc !== undefined) must(r.crc === shape.crc, 'does not match the checksum saved with it');
    return r.crc;
  } finally {
    closeSync(fd);
  }
}

function checkLayout(r: ChunkReader, shape: GraphShape): void {
  const n = shape.nodes;
  // The vectors: a matrix of n rows of one byte per dimension (i8).
  const rows = r.u32();
  const cols = r.u32();
  must(rows === n, `holds ${rows} vectors, expected ${n}`);
  must(cols === shape.dimension, `holds ${cols}-byte vectors, expected ${shape.dimension}`);
  r.skip(rows * cols);
  // The dense index's 64-byte head.
  const head = r.offset;
  must(r.text(MAGIC.length) === MAGIC, 'is not a usearch file');
  must(r.u16() === VERSION_MAJOR, 'was written by another major version of usearch');
  r.skip(4);
  must(r.u8() === METRIC_COS && r.u8() === SCALAR_I8, 'is not a cosine graph of 8-bit scalars');
  must(r.u8() === KEY_U64 && r.u8() === SLOT_U32, 'has other key or slot types');
  must(r.u64('count_present') === n, 'counts another number of present nodes');
  must(r.u64('count_deleted') === 0, 'has removed slots (usearch cannot load those safely)');
  must(r.u64('dimensions') === shape.dimension, 'is of another dimension');
  must(r.u8() === 0, 'is a multi-key index');
  r.skip(DENSE_HEAD_BYTES - (r.offset - head));
  // The graph: header, every node's level, then the nodes.
  must(r.u64('size') === n, 'holds another number of nodes');
  const connectivity = r.u64('connectivity');
  const base = r.u64('connectivity_base');
  must(connectivity === shape.connectivity && base === shape.connectivity * 2, 'has another connectivity');
  const maxLevel = r.u64('max_level');
  const entry = r.u64('entry_slot');
  must(maxLevel <= MAX_LEVEL, 'has an impossible number of levels');
  must(n === 0 || entry < n, 'enters the graph at a slot it lacks');
  const levels = new Int16Array(n);
  let top = n === 0 ? maxLevel : -1;
  for (let i = 0; i < n; i++) {
    const l = r.i16();
    must(l >= 0 && l <= maxLevel, `gives node ${i} level ${l}`);
    levels[i] = l;
    if (l > top) top = l;
  }
  must(top === maxLevel && (n === 0 || levels[entry] === maxLevel), 'has an entry point that is not on the top level');
  const seen = new Uint8Array(n);
  const inRange = (slot: number) => slot < n;
  for (let i = 0; i < n; i++) {
    const key = r.u64('a key');
    must(key < n && seen[key] === 0, `has key ${key} out of range or twice`);
    seen[key] = 1;
    must(r.i16() === levels[i], `gives node ${i} two levels`);
    for (let l = 0; l <= levels[i]!; l++) {
      const cap = l === 0 ? base : connectivity;
      const count = r.u32();
      must(count <= cap, `gives node ${i} ${count} neighbours on level ${l}`);
      must(r.slots(count, cap, inRange), `links node ${i} to a slot it lacks`);
    }
  }
}
