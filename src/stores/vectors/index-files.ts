import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SavedNode } from './ann.js';

/** What a saved index holds: the vectors (and graph) as of event `seq`. */
export interface SavedIndex {
  /** The collection's id (its `vectors.meta` record) when saved. */
  readonly collection: string;
  readonly seq: number;
  readonly dimension: number;
  readonly ids: string[];
  readonly vectors: Float32Array[];
  readonly metadata: Record<string, unknown>[];
  readonly texts: (string | null)[];
  /** Path of the saved HNSW graph and its node table, when one was saved. */
  readonly graph?: { file: string; nodes: (SavedNode | null)[] };
}

interface Sidecar {
  format: 4;
  ns: string;
  collection: string;
  seq: number;
  dimension: number;
  token: string;
  ids: string[];
  metadata: Record<string, unknown>[];
  texts: (string | null)[];
  graphNodes: (SavedNode | null)[] | null;
}

const FORMAT = 4;

/**
 * Files of one namespace's derived index, next to the database (`<db>-vectors/`). A save writes
 * the vectors and the graph under a fresh token, fsyncs them, then atomically renames a sidecar
 * naming that token into place: a reader sees the old complete set or the new one, never a mix,
 * and a crash mid-save leaves only orphans that the next save removes. Losing these files only
 * costs a rebuild from the records.
 */
export class IndexFiles {
  private readonly dir: string;
  private readonly base: string;

  constructor(dbPath: string, private readonly ns: string) {
    this.dir = `${dbPath}-vectors`;
    this.base = createHash('sha256').update(ns).digest('hex').slice(0, 16);
  }

  load(): SavedIndex | undefined {
    try {
      const side = join(this.dir, `${this.base}.json`);
      if (!existsSync(side)) return undefined;
      const s = JSON.parse(readFileSync(side, 'utf8')) as Sidecar;
      if (s.format !== FORMAT || s.ns !== this.ns) return undefined;
      const buf = readFileSync(join(this.dir, `${this.base}.${s.token}.f32`));
      if (buf.byteLength !== s.ids.length * s.dimension * 4) return undefined;
      const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const vectors = s.ids.map((_, i) => all.subarray(i * s.dimension, (i + 1) * s.dimension));
      const graphFile = join(this.dir, `${this.base}.${s.token}.hnsw`);
      const graph = s.graphNodes && existsSync(graphFile) ? { file: graphFile, nodes: s.graphNodes } : undefined;
      if (s.metadata.length !== s.ids.length || s.texts.length !== s.ids.length) return undefined;
      return { collection: s.collection, seq: s.seq, dimension: s.dimension, ids: s.ids, vectors, metadata: s.metadata, texts: s.texts, graph };
    } catch {
      return undefined;
    }
  }

  /** Saves vectors (and, via `writeGraph`, the graph) as of `seq`. Best effort: failures are ignored. */
  save(
    collection: string,
    seq: number,
    dimension: number,
    entries: Iterable<[string, Float32Array]>,
    metadataOf: ReadonlyMap<string, Record<string, unknown>>,
    textOf: ReadonlyMap<string, string | null>,
    graph?: { nodes: (SavedNode | null)[]; write: (file: string) => void }): void {
    try {
      mkdirSync(this.dir, { recursive: true });
      const token = randomBytes(6).toString('hex');
      const ids: string[] = [];
      const fd = openSync(join(this.dir, `${this.base}.${token}.f32`), 'w');
      try {
        for (const [id, v] of entries) {
          ids.push(id);
          writeSync(fd, v);
        }
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      if (graph) graph.write(join(this.dir, `${this.base}.${token}.hnsw`));
      const metadata = ids.map((id) => metadataOf.get(id) ?? {});
      const texts = ids.map((id) => textOf.get(id) ?? null);
      const side: Sidecar = { format: FORMAT, ns: this.ns, collection, seq, dimension, token, ids, metadata, texts, graphNodes: graph ? graph.nodes : null };
      const tmp = join(this.dir, `${this.base}.${token}.json.tmp`);
      const sfd = openSync(tmp, 'w');
      try {
        writeSync(sfd, JSON.stringify(side));
        fsyncSync(sfd);
      } finally {
        closeSync(sfd);
      }
      renameSync(tmp, join(this.dir, `${this.base}.json`));
      this.removeOthers(token);
    } catch {
      // A derived cache: if it cannot be saved, the next open rebuilds it from the records.
    }
  }

  private removeOthers(token: string): void {
    for (const f of readdirSync(this.dir)) {
      if (f.startsWith(`${this.base}.`) && f !== `${this.base}.json` && !f.startsWith(`${this.base}.${token}.`)) rmSync(join(this.dir, f), { force: true });
    }
  }
}
