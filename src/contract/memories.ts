import { z } from 'zod';
import type { BlocksStore } from '../api/blocks.js';
import type { MemoriesStore } from '../api/memories.js';
import { blockLabel } from '../stores/blocks/blocks.js';
import {
  curateOptionsSchema,
  factInputSchema,
  factListSchema,
  factSearchSchema,
  ingestMessageSchema,
  invalidateOptionsSchema,
  updateOptionsSchema,
} from '../stores/memories/inputs.js';
import { MAX_FACT_BATCH, MAX_INGEST_MESSAGES } from '../values/limits.js';
import { methodOps } from './method-op.js';
import { json, key } from './op.js';

const time = z.number().int().nullable();
const outcome = z.object({
  id: z.string(),
  op: z.enum(['added', 'updated', 'unchanged', 'invalidated']),
  version: z.number().int(),
  text: z.string(),
  invalidated: z.array(z.string()).optional().describe('Known facts this one contradicted, now marked invalid.'),
});
const fact = z.object({
  id: z.string(),
  text: z.string(),
  subject: z.string().nullable(),
  version: z.number().int(),
  validFrom: time,
  validTo: time,
  recordedAt: z.number().int(),
  updatedAt: z.number().int(),
  invalidatedAt: time,
  metadata: z.record(z.string(), json),
});
const source = z.object({
  via: z.enum(['add', 'ingest', 'update', 'invalidate', 'delete']),
  by: z.string().nullable(),
  idempotencyKey: z.string().nullable(),
  model: z.string().nullable(),
  prompt: z.string().nullable(),
});
const factVersion = z.object({
  version: z.number().int(),
  op: z.enum(['added', 'updated', 'invalidated', 'deleted']),
  text: z.string().nullable(),
  at: z.number().int(),
  reason: z.string().nullable(),
  validFrom: time,
  validTo: time,
  source,
});
const factId = key.describe('A fact id, as add/ingest returned it.');
const exampleFact = {
  id: 'fmiv2k3a09c1e5b7d2f4a',
  text: 'The user lives in Paris',
  subject: 'user',
  version: 41,
  validFrom: null,
  validTo: null,
  recordedAt: 1764650000000,
  updatedAt: 1764650000000,
  invalidatedAt: null,
  metadata: {},
};

/** Curated memory's operations, one per method of `MemoriesStore`. */
export const memoriesOps = methodOps<MemoriesStore>()('memories', {
  add: {
    summary: 'Adds facts (one, or an array of 1..100), consolidated with the similar known ones: a near-duplicate is `unchanged`.',
    access: 'write',
    args: z.object({
      facts: z.union([factInputSchema, z.array(factInputSchema).min(1).max(MAX_FACT_BATCH)]),
      options: curateOptionsSchema.optional(),
    }),
    result: z.union([outcome, z.array(outcome)]).describe('One outcome per fact: an object for one fact, an array for an array.'),
    example: {
      args: { facts: { text: 'The user lives in Paris', subject: 'user' }, options: { idempotencyKey: 'msg-41' } },
      result: { id: exampleFact.id, op: 'added', version: 41, text: 'The user lives in Paris' },
    },
  },
  ingest: {
    summary:
      'A language model extracts the facts of the messages and consolidates them; retried with the same idempotencyKey (default: a hash of the messages) it returns the first outcome and calls no model.',
    access: 'write',
    args: z.object({ messages: z.array(ingestMessageSchema).min(1).max(MAX_INGEST_MESSAGES), options: curateOptionsSchema.optional() }),
    result: z.object({
      facts: z.array(outcome),
      llmCalls: z.number().int(),
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
      replayed: z.boolean(),
    }),
    example: {
      args: { messages: [{ role: 'user', content: 'I moved to Berlin in May' }], options: { idempotencyKey: 'turn-7' } },
      result: {
        facts: [{ id: 'fmiv2k3a1b2c3d4e5f6a7', op: 'added', version: 52, text: 'The user lives in Berlin', invalidated: [exampleFact.id] }],
        llmCalls: 2,
        promptTokens: 412,
        completionTokens: 61,
        replayed: false,
      },
    },
  },
  search: {
    summary:
      'Facts closest in meaning to `text`; only believed ones unless asOf (what was believed then), validAt (what was true then) or includeInvalid.',
    access: 'read',
    args: z.object({ query: factSearchSchema }),
    result: z.array(fact.extend({ score: z.number() })),
    example: { args: { query: { text: 'where does the user live?', topK: 3 } }, result: [{ ...exampleFact, score: 0.71 }] },
  },
  get: {
    summary: 'One fact (no `result` when unknown or deleted).',
    access: 'read',
    args: z.object({ id: factId }),
    result: fact,
    example: { args: { id: exampleFact.id }, result: exampleFact },
  },
  list: {
    summary: 'Facts in id order (roughly creation order), a page at a time.',
    access: 'read',
    args: z.object({ options: factListSchema.optional() }),
    result: z.object({ items: z.array(fact), cursor: z.string().optional() }),
    example: { args: { options: { limit: 50 } }, result: { items: [exampleFact] } },
  },
  update: {
    summary: 'Replaces a fact’s text, keeping the old one in its history; `options.ifVersion` makes it a compare-and-set.',
    access: 'write',
    args: z.object({ id: factId, text: z.string(), options: updateOptionsSchema.optional() }),
    result: outcome,
    example: {
      args: { id: exampleFact.id, text: 'The user lives in Lyon', options: { ifVersion: 41, reason: 'corrected by the user' } },
      result: { id: exampleFact.id, op: 'updated', version: 57, text: 'The user lives in Lyon' },
    },
  },
  invalidate: {
    summary: 'Marks a fact as no longer true (from `options.at`, default now) without erasing it.',
    access: 'write',
    args: z.object({ id: factId, options: invalidateOptionsSchema.optional() }),
    result: outcome,
    example: {
      args: { id: exampleFact.id, options: { reason: 'the user moved' } },
      result: { id: exampleFact.id, op: 'invalidated', version: 58, text: 'The user lives in Paris' },
    },
  },
  delete: {
    summary: 'Erases a fact: its text and vectors leave every version; a tombstone stays in its history. `true` if it existed.',
    access: 'write',
    args: z.object({ id: factId }),
    result: z.boolean(),
    example: { args: { id: exampleFact.id }, result: true },
  },
  history: {
    summary: 'Every version of a fact, oldest first, with op, text, time, reason and source.',
    access: 'read',
    args: z.object({ id: factId }),
    result: z.array(factVersion),
    example: {
      args: { id: exampleFact.id },
      result: [
        {
          version: 41,
          op: 'added',
          text: 'The user lives in Paris',
          at: 1764650000000,
          reason: null,
          validFrom: null,
          validTo: null,
          source: { via: 'add', by: 'onboarding-agent', idempotencyKey: 'msg-41', model: null, prompt: null },
        },
      ],
    },
  },
});

const block = z.object({
  label: z.string(),
  value: z.union([z.string(), z.record(z.string(), json)]),
  version: z.number().int(),
  updatedAt: z.number().int(),
});
const blockOptions = z.object({ ifVersion: z.number().int().min(0).optional() }).optional();

/** Memory blocks' operations, one per method of `BlocksStore`. */
export const blocksOps = methodOps<BlocksStore>()('blocks', {
  get: {
    summary: 'One block (no `result` when absent).',
    access: 'read',
    args: z.object({ label: blockLabel }),
    result: block,
    example: {
      args: { label: 'human' },
      result: { label: 'human', value: 'Name: Ada\nPrefers aisle seats.', version: 12, updatedAt: 1764650000000 },
    },
  },
  set: {
    summary: 'Replaces a block’s value (text, or a JSON object); `options.ifVersion` makes it a compare-and-set.',
    access: 'write',
    args: z.object({ label: blockLabel, value: z.union([z.string(), z.record(z.string(), json)]), options: blockOptions }),
    result: z.object({ version: z.number().int() }),
    example: { args: { label: 'persona', value: 'I am a travel assistant.', options: { ifVersion: 0 } }, result: { version: 13 } },
  },
  append: {
    summary: 'Appends text to a text block (creating it), on a new line; never loses a concurrent append.',
    access: 'write',
    args: z.object({ label: blockLabel, text: z.string(), options: blockOptions }),
    result: z.object({ version: z.number().int(), length: z.number().int() }),
    example: { args: { label: 'human', text: 'Allergic to peanuts.' }, result: { version: 14, length: 52 } },
  },
  replace: {
    summary: 'Replaces the first occurrence of `oldText` in a text block (refused when absent).',
    access: 'write',
    args: z.object({ label: blockLabel, oldText: z.string(), newText: z.string(), options: blockOptions }),
    result: z.object({ version: z.number().int() }),
    example: { args: { label: 'human', oldText: 'aisle', newText: 'window' }, result: { version: 15 } },
  },
  list: {
    summary: 'Every block of the namespace, by label.',
    access: 'read',
    args: z.object({}),
    result: z.array(block),
    example: { args: {}, result: [{ label: 'persona', value: 'I am a travel assistant.', version: 13, updatedAt: 1764650000000 }] },
  },
  delete: {
    summary: 'Removes a block; `true` if it existed.',
    access: 'write',
    args: z.object({ label: blockLabel, options: blockOptions }),
    result: z.boolean(),
    example: { args: { label: 'plan' }, result: true },
  },
});
