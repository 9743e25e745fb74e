import { z } from 'zod';
import type { Block, BlocksStore, BlockWriteOptions } from '../../api/blocks.js';
import type { WriteTx } from '../../engine/types.js';
import { ConflictError, LimitError, ValidationError } from '../../errors.js';
import { deepFreeze } from '../../values/freeze.js';
import { serializeValue } from '../../values/json.js';
import { typeName } from '../../values/keys.js';
import { parseOptions } from '../../values/options.js';
import type { StoreContext } from '../context.js';
import { storeModule } from '../module.js';
import { BLOCKS } from '../names.js';
import type { BlocksPolicy } from '../memories/policy.js';

/** A label: what a prompt shows as the block's heading. */
export const blockLabel = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1..64 letters, digits, _ . or -');
const writeOptions = z.strictObject({ ifVersion: z.number().int().min(0).optional() });

interface BlockRecord {
  value: string | Record<string, unknown>;
}

const checkLabel = (label: unknown): string => {
  const r = blockLabel.safeParse(label);
  if (!r.success)
    throw new ValidationError('label', `${r.error.issues[0]!.message}, got ${typeof label === 'string' ? JSON.stringify(label) : typeName(label)}`);
  return r.data;
};
const checkOptions = (o: unknown): BlockWriteOptions => (o === undefined ? {} : parseOptions(writeOptions, o, 'options', '{ ifVersion: 3 }'));
const checkText = (v: unknown, field: string): string => {
  if (typeof v !== 'string' || !v.isWellFormed()) throw new ValidationError(field, `must be well-formed text, got ${typeName(v)}`);
  return v;
};

/**
 * Memory blocks of one namespace; see {@link BlocksStore}. Each block is one record; `append` and
 * `replace` read and write it inside one write transaction, so they apply to the block as it is
 * when they commit and never lose a concurrent edit. The size bound is checked in that transaction.
 */
export class Blocks implements BlocksStore {
  constructor(
    private readonly ctx: StoreContext,
    private readonly policy: BlocksPolicy,
  ) {}

  async get(label: string): Promise<Block | undefined> {
    const l = checkLabel(label);
    this.ctx.counters(BLOCKS).reads++;
    return this.ctx.engine.read((tx) => {
      const r = tx.get(this.ctx.ns, BLOCKS, l);
      return r && toBlock(l, r.value, r.version, r.updatedAt);
    });
  }

  async set(label: string, value: string | Record<string, unknown>, options?: BlockWriteOptions): Promise<{ version: number }> {
    const l = checkLabel(label);
    const o = checkOptions(options);
    if (typeof value !== 'string' && (value === null || typeof value !== 'object' || Array.isArray(value)))
      throw new ValidationError('value', `must be text or a JSON object, got ${typeName(value)}`);
    if (typeof value === 'string') checkText(value, 'value');
    else serializeValue(value, this.ctx.maxValueBytes, 'value');
    return this.write(l, o, () => value);
  }

  async append(label: string, text: string, options?: BlockWriteOptions): Promise<{ version: number; length: number }> {
    const l = checkLabel(label);
    const t = checkText(text, 'text');
    const o = checkOptions(options);
    let length = 0;
    const { version } = await this.write(l, o, (cur) => {
      if (cur !== undefined && typeof cur !== 'string') throw new ValidationError('label', `block "${l}" holds JSON, not text: use set`);
      const next = cur === undefined || cur === '' ? t : `${cur}\n${t}`;
      length = next.length;
      return next;
    });
    return { version, length };
  }

  async replace(label: string, oldText: string, newText: string, options?: BlockWriteOptions): Promise<{ version: number }> {
    const l = checkLabel(label);
    const from = checkText(oldText, 'oldText');
    const to = checkText(newText, 'newText');
    if (from === '') throw new ValidationError('oldText', 'must not be empty');
    const o = checkOptions(options);
    return this.write(l, o, (cur) => {
      if (cur === undefined) throw new ValidationError('label', `no block "${l}"`);
      if (typeof cur !== 'string') throw new ValidationError('label', `block "${l}" holds JSON, not text: use set`);
      const at = cur.indexOf(from);
      if (at < 0) throw new ValidationError('oldText', `not found in block "${l}"`);
      return cur.slice(0, at) + to + cur.slice(at + from.length);
    });
  }

  async list(): Promise<Block[]> {
    this.ctx.counters(BLOCKS).reads++;
    return this.ctx.engine.read((tx) =>
      tx.scan(this.ctx.ns, BLOCKS, { limit: this.policy.maxBlocks + 1 }).map((r) => toBlock(r.key, r.value, r.version, r.updatedAt)),
    );
  }

  async delete(label: string, options?: BlockWriteOptions): Promise<boolean> {
    const l = checkLabel(label);
    const o = checkOptions(options);
    const existed = await this.ctx.engine.write((tx) => {
      const cur = tx.get(this.ctx.ns, BLOCKS, l);
      if (o.ifVersion !== undefined && (cur?.version ?? 0) !== o.ifVersion) throw new ConflictError(l, o.ifVersion, cur?.version ?? 0);
      return tx.delete(this.ctx.ns, BLOCKS, l);
    });
    this.ctx.counters(BLOCKS).writes++;
    return existed;
  }

  /** Reads the block, computes its next value and writes it, all in one write transaction. */
  private async write(
    label: string,
    o: BlockWriteOptions,
    next: (cur: BlockRecord['value'] | undefined) => BlockRecord['value'],
  ): Promise<{ version: number }> {
    const version = await this.ctx.engine.write((tx: WriteTx) => {
      const row = tx.get(this.ctx.ns, BLOCKS, label);
      if (o.ifVersion !== undefined && (row?.version ?? 0) !== o.ifVersion) throw new ConflictError(label, o.ifVersion, row?.version ?? 0);
      const value = next(row ? (JSON.parse(row.value) as BlockRecord).value : undefined);
      const size = typeof value === 'string' ? value.length : JSON.stringify(value).length;
      if (size > this.policy.maxChars) throw new LimitError(`block "${label}" would hold ${size} characters, over maxChars ${this.policy.maxChars}`);
      if (!row && tx.count(this.ctx.ns, BLOCKS) >= this.policy.maxBlocks)
        throw new LimitError(`this namespace holds ${this.policy.maxBlocks} blocks, the most allowed (blocks.maxBlocks)`);
      return tx.put(this.ctx.ns, BLOCKS, label, JSON.stringify({ value } satisfies BlockRecord), { expiresAt: null });
    });
    this.ctx.counters(BLOCKS).writes++;
    return { version };
  }
}

const toBlock = (label: string, value: string, version: number, updatedAt: number): Block =>
  deepFreeze({ label, value: (JSON.parse(value) as BlockRecord).value, version, updatedAt });

/** Memory blocks' wiring: their bounds from the options. */
export const blocksModule = storeModule({ create: (ctx, config) => new Blocks(ctx, config.blocks) });
