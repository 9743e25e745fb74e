import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { PackedTable } from './vector-table.js';

/** The sidecar's first line: the CRC-32 of the JSON that follows, so a flipped byte is caught. */
const crcText = (json: string): string => `crc32:${crc32(json).toString(16)}`;

/** What a saved index holds: the vectors (and graph) as of event `seq`. */
export interface SavedIndex {
  /** The collection's id (its `vectors.meta` record) when saved. */
  readonly collection: string;
  readonly seq: number;
  readonly dimension: number;
  readonly ids: string[];
  /** The vectors of `ids`, in that order, row after row. */
  readonly data: Float32Array;
  readonly metadata: Record<string, unknown>[];
  readonly texts: (string | null)[];
  /** The saved graph: its file, the node label of each of `ids`, its node count and CRC-32. */
  readonly graph?: { file: string; labels: number[]; nodes: number; crc: number };
}

interface Sidecar {
  format: 6;
  ns: string;
  collection: string;
  seq: number;
  dimension: number;
  token: string;
  ids: string[];
  metadata: Record<string, unknown>[];
  texts: (string | null)[];
  /** CRC-32 of the vectors file. */
  vectorsCrc: number;
  /**
   * Node label of each id, the graph's node count (live and tombstoned), its file's size and
   * CRC-32: a graph file is handed to usearch only when all of it matches (see graph-file.ts).
   */
  graph: { labels: number[]; nodes: number; bytes: number; crc: number } | null;
}

/**
 * 6: checksums of every file (the sidecar's own on its first line) and the graph's node count;
 * 5 saved graphs with usearch's removed slots, which abort the process that loads them (issue 28).
 */
const FORMAT = 6;
/** A graph build file this old belongs to a build that died (a build takes seconds to minutes). */
const STALE_BUILD_MS = 3_600_000;

/** Writes all of `bytes` to a new `file` and fsyncs it. */
function writeDurably(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a file someone else wrote durable before a sidecar names it. */
function fsyncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole file into a fresh Float32Array (one copy, no intermediate buffer) with its CRC-32. */
function readFloats(file: string): { data: Float32Array; crc: number } {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size % 4 !== 0) throw new Error(`${file}: ${size} bytes is not a whole number of floats`);
    const data = new Float32Array(size / 4);
    const bytes = new Uint8Array(data.buffer);
    for (let at = 0; at < size;) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) throw new Error(`${file}: shorter than its size`);
      at += n;
    }
    return { data, crc: crc32(bytes) };
  } finally {
    closeSync(fd);
  }
}

/** The outcome of the latest save, for `health()`. */
export interface SaveState {
  readonly ok: boolean;
  readonly at: number;
  readonly seq: number;
  readonly error?: string;
}

/**
 * Files of one namespace's derived index, next to the database (`<db>-vectors/`). A save writes
 * the vectors and the graph under a fresh token, fsyncs them, then atomically renames a sidecar
 * naming that token into place: a reader sees the old complete set or the new one, never a mix,
 * and a crash mid-save leaves only orphans that the next save removes. Losing these files only
 * costs a rebuild from the records.
 */
export class IndexFiles {
  private readonly base: string;
  /** The latest save's outcome (none before the first save). */
  lastSave: SaveState | undefined;

  /** `dir` is where the engine keeps derived files (`<db>-vectors/` beside a SQLite file). */
  constructor(
    private readonly dir: string,
    private readonly ns: string,
  ) {
    this.base = createHash('sha256').update(ns).digest('hex').slice(0, 16);
  }

  /** Whether a saved index exists for this namespace (loadable or not). */
  exists(): boolean {
    return existsSync(join(this.dir, `${this.base}.json`));
  }

  /** Removes this namespace's saved index (the next open rebuilds it from the records). */
  remove(): void {
    if (!existsSync(this.dir)) return;
    for (const f of readdirSync(this.dir)) if (f.startsWith(`${this.base}.`)) rmSync(join(this.dir, f), { force: true });
  }

  /**
   * The saved index, or why none can be used: nothing saved, a set written by an older Memex, or
   * a file that does not match its checksum (`corrupt`, which `health()` reports). The graph file
   * is only sized up here; its contents are checked before usearch reads it (graph-file.ts).
   */
  load(): { saved?: SavedIndex; problem?: string; corrupt?: boolean } {
    const side = join(this.dir, `${this.base}.json`);
    if (!existsSync(side)) return {};
    try {
      const text = readFileSync(side, 'utf8');
      const cut = text.indexOf('\n');
      const json = text.slice(cut + 1);
      const head = text.slice(0, cut);
      if (cut < 0 || head.startsWith('{')) return { problem: 'saved by an older Memex (rebuilt in the new format)' };
      if (head !== crcText(json)) return { problem: 'the sidecar does not match its checksum', corrupt: true };
      const s = JSON.parse(json) as Sidecar;
      if (s.format !== FORMAT) return { problem: `saved in format ${String(s.format)}` };
      if (s.ns !== this.ns) return { problem: `the sidecar is another namespace's (${s.ns})`, corrupt: true };
      if (s.metadata.length !== s.ids.length || s.texts.length !== s.ids.length) return { problem: 'the sidecar is inconsistent', corrupt: true };
      const { data, crc } = readFloats(join(this.dir, `${this.base}.${s.token}.f32`));
      if (crc !== s.vectorsCrc || data.length !== s.ids.length * s.dimension) {
        return { problem: 'the vectors file does not match its checksum', corrupt: true };
      }
      const graphFile = join(this.dir, `${this.base}.${s.token}.usearch`);
      const g = s.graph;
      let graph: SavedIndex['graph'];
      let problem: string | undefined;
      if (g !== null) {
        if (g.labels.length === s.ids.length && existsSync(graphFile) && statSync(graphFile).size === g.bytes) {
          graph = { file: graphFile, labels: g.labels, nodes: g.nodes, crc: g.crc };
        } else problem = 'the graph file is missing or of another size';
      }
      const saved = { collection: s.collection, seq: s.seq, dimension: s.dimension, ids: s.ids, data, metadata: s.metadata, texts: s.texts, graph };
      return { saved, problem, corrupt: problem !== undefined };
    } catch (e) {
      return { problem: `unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, corrupt: true };
    }
  }

  /**
   * Saves vectors (and, via `graph.write`, the graph) as of `seq`; resolves whether it was saved.
   * Best effort: a failure loses nothing (the index is derived) and is reported by `health()`.
   */
  save(
    collection: string,
    seq: number,
    dimension: number,
    vectors: PackedTable,
    graph?: { labels: (ids: readonly string[]) => number[]; nodes: number; write: (file: string) => number },
  ): boolean {
    try {
      mkdirSync(this.dir, { recursive: true });
      const token = randomBytes(6).toString('hex');
      const { ids, data, metadata, texts } = vectors;
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      writeDurably(join(this.dir, `${this.base}.${token}.f32`), bytes);
      let savedGraph: Sidecar['graph'] = null;
      if (graph) {
        const file = join(this.dir, `${this.base}.${token}.usearch`);
        const crc = graph.write(file);
        fsyncFile(file);
        savedGraph = { labels: graph.labels(ids), nodes: graph.nodes, bytes: statSync(file).size, crc };
      }
      const side: Sidecar = {
        format: FORMAT,
        ns: this.ns,
        collection,
        seq,
        dimension,
        token,
        ids: [...ids],
        metadata,
        texts,
        vectorsCrc: crc32(bytes),
        graph: savedGraph,
      };
      const json = JSON.stringify(side);
      const tmp = join(this.dir, `${this.base}.${token}.json.tmp`);
      writeDurably(tmp, Buffer.from(`${crcText(json)}\n${json}`));
      renameSync(tmp, join(this.dir, `${this.base}.json`));
      this.removeOthers(token);
      this.lastSave = { ok: true, at: Date.now(), seq };
      return true;
    } catch (e) {
      // A derived cache: if it cannot be saved, the next open rebuilds it from the records.
      this.lastSave = { ok: false, at: Date.now(), seq, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
      return false;
    }
  }

  /** A fresh file name in this index's directory, for a graph being built (not kept by saves). */
  scratchFile(): string {
    mkdirSync(this.dir, { recursive: true });
    return join(this.dir, `build-${randomBytes(6).toString('hex')}.usearch`);
  }

  private removeOthers(token: string): void {
    for (const f of readdirSync(this.dir)) {
      // A graph build's file outlives its process only if that process died mid-build.
      if (f.startsWith('build-') && Date.now() - (statSync(join(this.dir, f), { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > STALE_BUILD_MS) {
        rmSync(join(this.dir, f), { force: true });
      }
      if (f.startsWith(`${this.base}.`) && f !== `${this.base}.json` && !f.startsWith(`${this.base}.${token}.`))
        rmSync(join(this.dir, f), { force: true });
    }
  }
}
