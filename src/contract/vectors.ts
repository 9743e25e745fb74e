import { z } from 'zod';
import { json } from './op.js';
import { methodOps } from './method-op.js';
import type { VectorsStore } from '../api/vectors.js';
import { deepFreeze } from '../values/freeze.js';
import { MAX_TOP_K, MAX_VECTOR_BATCH } from '../values/limits.js';

const id = z.string().min(1).describe('A document id.');
const vector = z.array(z.number()).describe('Float32 components (a TypeScript client sends a Float32Array compactly).');
const filter = z
  .record(z.string(), json)
  .describe('A JSON filter over metadata: { type: "doc", year: { $gte: 2020 }, tags: { $in: [...] }, $or: [...] }.');
const doc = z.object({ id, text: z.string().optional(), vector: vector.optional(), metadata: z.record(z.string(), json).optional() });
const storedDoc = z.object({ id: z.string(), text: z.string().nullable(), metadata: z.record(z.string(), json), vector });
const hit = z.object({ id: z.string(), score: z.number(), text: z.string().nullable(), metadata: z.record(z.string(), json) });

/** Vectors leave as plain arrays of numbers: exact for float32, and what every language reads. */
const plainDoc = (d: ({ vector: Float32Array } & object) | undefined) => (d ? { ...d, vector: Array.from(d.vector) } : undefined);

/** The remote client's document: frozen, its vector a fresh Float32Array (typed arrays cannot be frozen), as embedded. */
const reviveDoc = (w: unknown) => {
  if (w === undefined || w === null) return undefined;
  const d = w as { metadata: unknown; vector: number[] };
  return Object.freeze({ ...d, metadata: deepFreeze(d.metadata), vector: Float32Array.from(d.vector) });
};

export const vectorsOps = methodOps<VectorsStore>()('vectors', {
  upsert: {
    summary: 'Inserts or replaces documents (a text without a vector is embedded by the server’s embedder); a batch is all or nothing.',
    access: 'write',
    args: z.object({ docs: z.union([doc, z.array(doc).max(MAX_VECTOR_BATCH)]) }),
    result: z.object({ upserted: z.number().int() }),
    example: { args: { docs: [{ id: 'n1', text: 'Ada prefers Python', metadata: { type: 'note', year: 2026 } }] }, result: { upserted: 1 } },
  },
  get: {
    summary: 'A document with its vector (no `result` when absent).',
    access: 'read',
    args: z.object({ id }),
    result: storedDoc,
    example: { args: { id: 'n1' }, result: { id: 'n1', text: 'Ada prefers Python', metadata: { type: 'note' }, vector: [0.1, -0.2] } },
    answer: (d) => plainDoc(d as ({ vector: Float32Array } & object) | undefined),
    revive: reviveDoc,
  },
  delete: {
    summary: 'Deletes a document; `true` if it existed.',
    access: 'write',
    args: z.object({ id }),
    result: z.boolean(),
    example: { args: { id: 'n1' }, result: true },
  },
  count: {
    summary: 'How many documents (matching `filter` if given).',
    access: 'read',
    args: z.object({ filter: filter.optional() }),
    result: z.number().int(),
    example: { args: { filter: { type: 'note' } }, result: 1 },
  },
  deleteWhere: {
    summary: 'Deletes the documents matching `filter`.',
    access: 'write',
    args: z.object({ filter }),
    result: z.object({ deleted: z.number().int(), total: z.number().int() }),
    example: { args: { filter: { year: { $lt: 2020 } } }, result: { deleted: 4, total: 120 } },
  },
  search: {
    summary: 'Semantic (`vector`), full-text (`text`) or `hybrid` search, optionally filtered; best first.',
    access: 'read',
    args: z.object({
      query: z.object({
        text: z.string().optional(),
        vector: vector.optional(),
        topK: z.number().int().min(1).max(MAX_TOP_K).optional(),
        filter: filter.optional(),
        minScore: z.number().optional(),
        mode: z.enum(['vector', 'text', 'hybrid']).optional(),
      }),
    }),
    result: z.array(hit),
    example: {
      args: { query: { text: 'which language does Ada like?', topK: 3, filter: { type: 'note' } } },
      result: [{ id: 'n1', score: 0.83, text: 'Ada prefers Python', metadata: { type: 'note' } }],
    },
  },
  waitForIndex: {
    summary: 'Resolves once the server’s search index has caught up with every committed document.',
    access: 'read',
    args: z.object({}),
    result: z.null().optional(),
    example: { args: {} },
  },
});
