import { isDeepStrictEqual } from 'node:util';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  maxChannelVersion,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import type { KvStore } from '../../api/kv.js';
import type { MemexScope } from '../../api/memex.js';
import { ValidationError } from '../../errors.js';
import { kvEntries } from '../../util/kv-pages.js';
import { deleteWhere, descending, digest } from './keys.js';
import { blobVersion, nextVersion, withStringVersions } from './versions.js';

/** One checkpoint, its channel values left out (they are blobs, stored once per version). */
interface CheckpointRecord {
  /**
   * 2 since channel versions are unique per write (see versions.ts): the checkpoint is returned as
   * put. Absent on records written before: their integer versions are returned as strings.
   */
  format?: 2;
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  parent: string | null;
  type: string;
  checkpoint: Uint8Array;
  metadataType: string;
  metadata: Uint8Array;
}

/** A channel's value at one version (`blobVersion`); `value: null` records a channel that was emptied. */
interface BlobRecord {
  thread_id: string;
  checkpoint_ns: string;
  channel: string;
  version: string;
  type: string;
  value: Uint8Array | null;
}

interface WriteRecord {
  thread_id: string;
  checkpoint_ns: string;
  checkpoint_id: string;
  task_id: string;
  task_path: string;
  idx: number;
  channel: string;
  type: string;
  value: Uint8Array;
}

/** Longest checkpoint id accepted: its descending encoding takes 4 bytes per UTF-16 unit of a 512-byte key. */
const MAX_ID_CHARS = 100;

type Ids = { thread_id: string; checkpoint_ns: string };

/**
 * A LangGraph.js checkpointer on a Memex namespace. Each `put` and `putWrites` is one kv
 * transaction, so several processes (or machines, through PostgreSQL or `memex serve`) can run
 * graphs on the same threads: no checkpoint is ever half written, a concurrent writer never
 * overwrites another's checkpoint, and a task's writes land all together or not at all.
 * Channel values are stored once per channel version (only the channels named in `newVersions`),
 * and the versions it mints (`getNextVersion`) are unique per write, so a checkpoint reads back as
 * it was written whatever branches grow from it: a replay from an earlier `checkpoint_id`, an
 * `updateState` fork, or two processes invoking one thread at once each keep their own values.
 * Passes `@langchain/langgraph-checkpoint-validation`.
 *
 * @example
 * ```ts
 * import { openMemex } from 'memex';
 * import { MemexSaver } from 'memex/langgraph';
 * const mx = await openMemex({ path: './memex.db' });
 * const checkpointer = new MemexSaver(mx.scope('graphs'));
 * // const graph = workflow.compile({ checkpointer });
 * ```
 */
export class MemexSaver extends BaseCheckpointSaver {
  private readonly kv: KvStore;

  constructor(scope: Pick<MemexScope, 'kv'>, options: { serde?: SerializerProtocol } = {}) {
    super(options.serde);
    this.kv = scope.kv;
  }

  /**
   * A version unique to this write: `<counter>.<random>` (see versions.ts). LangGraph's types
   * declare versions as numbers by default, and `compile({ checkpointer })` takes only that type;
   * at run time LangGraph takes string versions (it compares them as strings), hence the cast.
   */
  override getNextVersion(current: number | undefined): number {
    return nextVersion(current) as unknown as number;
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const ids = idsOf(config);
    if (!ids) return undefined;
    const id = getCheckpointId(config);
    if (id) {
      const rec = await this.kv.get<CheckpointRecord>(checkpointKey(ids, id));
      return rec && sameIds(rec, ids) ? this.toTuple(rec) : undefined;
    }
    for await (const e of kvEntries<CheckpointRecord>(this.kv, checkpointPrefix(ids.thread_id, ids.checkpoint_ns))) {
      if (sameIds(e.value, ids)) return this.toTuple(e.value);
    }
    return undefined;
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let remaining = options.limit;
    const thread = config.configurable?.thread_id as string | undefined;
    const ns = config.configurable?.checkpoint_ns as string | undefined;
    const onlyId = config.configurable?.checkpoint_id as string | undefined;
    const beforeId = before?.configurable?.checkpoint_id as string | undefined;
    const prefix = thread === undefined ? 'ckpt:' : checkpointPrefix(thread, ns);
    for await (const e of kvEntries<CheckpointRecord>(this.kv, prefix)) {
      if (remaining !== undefined && remaining <= 0) return;
      const rec = e.value as CheckpointRecord;
      if (thread !== undefined && rec.thread_id !== thread) continue;
      if (ns !== undefined && rec.checkpoint_ns !== ns) continue;
      if (onlyId && rec.checkpoint_id !== onlyId) continue;
      if (beforeId && rec.checkpoint_id >= beforeId) continue;
      if (filter) {
        const metadata = (await this.serde.loadsTyped(rec.metadataType, rec.metadata)) as Record<string, unknown>;
        if (!Object.entries(filter).every(([k, v]) => isDeepStrictEqual(metadata?.[k], v))) continue;
      }
      if (remaining !== undefined) remaining -= 1;
      yield await this.toTuple(rec);
    }
  }

  async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    const ids = requireIds(config, 'put');
    const { thread_id, checkpoint_ns } = ids;
    checkId(checkpoint.id, 'checkpoint.id');
    const copy = copyCheckpoint(checkpoint);
    const values = copy.channel_values;
    copy.channel_values = {};
    const blobs = await Promise.all(
      Object.entries(newVersions).map(async ([channel, v]): Promise<[string, BlobRecord]> => {
        const version = blobVersion(v);
        const present = channel in values && values[channel] !== undefined;
        const [type, value] = present ? await this.serde.dumpsTyped(values[channel]) : ['empty', null];
        return [blobKey(ids, channel, version), { ...ids, channel, version, type, value }];
      }),
    );
    const [[type, bytes], [metadataType, metaBytes]] = await Promise.all([this.serde.dumpsTyped(copy), this.serde.dumpsTyped(metadata)]);
    const rec: CheckpointRecord = {
      format: 2,
      ...ids,
      checkpoint_id: checkpoint.id,
      parent: (config.configurable?.checkpoint_id as string | undefined) ?? null,
      type,
      checkpoint: bytes,
      metadataType,
      metadata: metaBytes,
    };
    await this.kv.transaction((tx) => {
      for (const [key, blob] of blobs) tx.set(key, blob);
      tx.set(checkpointKey(ids, checkpoint.id), rec);
    });
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    const ids = requireIds(config, 'putWrites');
    const checkpoint_id = config.configurable?.checkpoint_id as string | undefined;
    if (!checkpoint_id) throw new ValidationError('config.configurable.checkpoint_id', 'is required to store writes');
    if (typeof taskId !== 'string') throw new ValidationError('taskId', 'must be a string');
    const records = await Promise.all(
      writes.map(async ([channel, value], i): Promise<WriteRecord> => {
        const [type, bytes] = await this.serde.dumpsTyped(value);
        const idx = WRITES_IDX_MAP[channel] ?? i;
        return { ...ids, checkpoint_id, task_id: taskId, task_path: taskPath ?? '', idx, channel, type, value: bytes };
      }),
    );
    await this.kv.transaction((tx) => {
      for (const rec of records) {
        const key = writeKey(ids, checkpoint_id, taskId, rec.idx);
        // A regular write is stored once (a retried task must not replace it); the special channels
        // (errors, interrupts) have negative indexes and always take the latest.
        if (rec.idx >= 0 && tx.has(key)) continue;
        tx.set(key, rec);
      }
    });
  }

  async deleteThread(threadId: string): Promise<void> {
    const t = digest(threadId, 24);
    for (const kind of ['ckpt', 'blob', 'write']) await deleteWhere<{ thread_id: string }>(this.kv, `${kind}:${t}`, (r) => r.thread_id === threadId);
  }

  private async toTuple(rec: CheckpointRecord): Promise<CheckpointTuple> {
    const ids = { thread_id: rec.thread_id, checkpoint_ns: rec.checkpoint_ns };
    const checkpoint = (await this.serde.loadsTyped(rec.type, rec.checkpoint)) as Checkpoint;
    checkpoint.channel_values = await this.channelValues(ids, checkpoint.channel_versions);
    if (rec.format === undefined) withStringVersions(checkpoint);
    const writes = await this.writesOf(ids, rec.checkpoint_id);
    if (checkpoint.v < 4 && rec.parent !== null) await this.migratePendingSends(checkpoint, ids, rec.parent);
    const tuple: CheckpointTuple = {
      config: { configurable: { ...ids, checkpoint_id: rec.checkpoint_id } },
      checkpoint,
      metadata: (await this.serde.loadsTyped(rec.metadataType, rec.metadata)) as CheckpointMetadata,
      pendingWrites: await Promise.all(
        writes.map(async (w): Promise<CheckpointPendingWrite> => [w.task_id, w.channel, await this.serde.loadsTyped(w.type, w.value)]),
      ),
    };
    if (rec.parent !== null) tuple.parentConfig = { configurable: { ...ids, checkpoint_id: rec.parent } };
    return tuple;
  }

  private async channelValues(ids: Ids, versions: Record<string, number | string>): Promise<Record<string, unknown>> {
    const wanted = Object.entries(versions ?? {}).map(([channel, v]) => ({ channel, version: blobVersion(v) }));
    const blobs = await this.kv.getMany<BlobRecord>(wanted.map((w) => blobKey(ids, w.channel, w.version)));
    const values: Record<string, unknown> = {};
    for (const [i, w] of wanted.entries()) {
      const b = blobs[i];
      if (!b || !sameIds(b, ids) || b.channel !== w.channel || b.version !== w.version || b.value === null) continue;
      values[b.channel] = await this.serde.loadsTyped(b.type, b.value);
    }
    return values;
  }

  /** The writes stored against one checkpoint, in the order live execution applies them. */
  private async writesOf(ids: Ids, checkpointId: string): Promise<WriteRecord[]> {
    const out: WriteRecord[] = [];
    for await (const e of kvEntries<WriteRecord>(this.kv, `${writePrefix(ids)}${digest(checkpointId, 16)}:`)) {
      const w = e.value as WriteRecord;
      if (sameIds(w, ids) && w.checkpoint_id === checkpointId) out.push(w);
    }
    const key = (w: WriteRecord) => writesSortKey(w.task_path, w.task_id, w.idx);
    return out.sort((a, b) => compareWritesSortKeys(key(a), key(b)));
  }

  /** Checkpoints before format 4 kept pending sends as the parent's TASKS writes; LangGraph expects them as a channel. */
  private async migratePendingSends(checkpoint: Checkpoint, ids: Ids, parentId: string): Promise<void> {
    const sends = (await this.writesOf(ids, parentId)).filter((w) => w.channel === TASKS);
    const values = checkpoint.channel_values;
    values[TASKS] = await Promise.all(sends.map((w) => this.serde.loadsTyped(w.type, w.value)));
    const versions = checkpoint.channel_versions as Record<string, number | string>;
    const existing = Object.values(versions);
    versions[TASKS] = existing.length > 0 ? maxChannelVersion(...existing) : this.getNextVersion(undefined);
  }
}

/** The thread and namespace a config names; `undefined` when it names no thread. */
function idsOf(config: RunnableConfig): Ids | undefined {
  const thread = config.configurable?.thread_id as unknown;
  if (thread === undefined || thread === null) return undefined;
  if (typeof thread !== 'string' && typeof thread !== 'number') throw new ValidationError('config.configurable.thread_id', 'must be a string');
  return { thread_id: String(thread), checkpoint_ns: (config.configurable?.checkpoint_ns as string | undefined) ?? '' };
}

function requireIds(config: RunnableConfig, call: string): Ids {
  const ids = idsOf(config);
  if (ids) return ids;
  throw new ValidationError(
    'config.configurable.thread_id',
    `is required for ${call}: pass { configurable: { thread_id } } so the checkpointer knows which thread to save`,
  );
}

function checkId(id: unknown, field: string): void {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS)
    throw new ValidationError(field, `must be a string of 1..${MAX_ID_CHARS} characters`);
}

const sameIds = (r: Ids, ids: Ids): boolean => r.thread_id === ids.thread_id && r.checkpoint_ns === ids.checkpoint_ns;

const scopeKey = (thread: string, ns: string): string => `${digest(thread, 24)}${digest(ns, 16)}:`;

/** All checkpoints of a thread (one namespace when `ns` is given), newest first within a namespace. */
const checkpointPrefix = (thread: string, ns?: string): string => (ns === undefined ? `ckpt:${digest(thread, 24)}` : `ckpt:${scopeKey(thread, ns)}`);

const checkpointKey = (ids: Ids, id: string): string => `ckpt:${scopeKey(ids.thread_id, ids.checkpoint_ns)}${descending(id)}`;

const blobKey = (ids: Ids, channel: string, version: string): string =>
  `blob:${scopeKey(ids.thread_id, ids.checkpoint_ns)}${digest(JSON.stringify([channel, version]), 32)}`;

const writePrefix = (ids: Ids): string => `write:${scopeKey(ids.thread_id, ids.checkpoint_ns)}`;

const writeKey = (ids: Ids, checkpointId: string, taskId: string, idx: number): string =>
  `${writePrefix(ids)}${digest(checkpointId, 16)}:${digest(taskId, 16)}:${idx}`;
