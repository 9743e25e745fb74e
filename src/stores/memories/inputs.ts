import { z } from 'zod';
import type {
  CurateOptions,
  FactInput,
  FactListOptions,
  FactSearch,
  IngestMessage,
  InvalidateOptions,
  UpdateFactOptions,
} from '../../api/memories.js';
import { ValidationError } from '../../errors.js';
import { serializeValue } from '../../values/json.js';
import { typeName, validateKey } from '../../values/keys.js';
import { MAX_FACT_BATCH, MAX_FACT_CHARS, MAX_FACT_TOP_K, MAX_INGEST_MESSAGES, MAX_NOTE_CHARS, MAX_PAGE_LIMIT } from '../../values/limits.js';
import { parseOptions } from '../../values/options.js';

/**
 * The shapes curated memory accepts, declared once with zod: the store validates with them and the
 * HTTP contract publishes them. Unknown fields are refused everywhere (strict objects).
 */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => s.isWellFormed() && s.trim() !== '', 'must be well-formed, non-blank text');
const time = z.number().int().min(0).describe('Unix ms');
const note = z.string().min(1).max(MAX_NOTE_CHARS);
const version = z.number().int().min(0);

export const factInputSchema = z.strictObject({
  text: text(MAX_FACT_CHARS),
  subject: z.string().min(1).max(200).optional(),
  validFrom: time.optional(),
  validTo: time.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});
export const curateOptionsSchema = z.strictObject({ idempotencyKey: note.optional(), by: note.optional() });
export const ingestMessageSchema = z.union([text(100_000), z.strictObject({ role: z.string().min(1).max(64), content: text(100_000) })]);
export const factSearchSchema = z.strictObject({
  text: text(10_000),
  topK: z.number().int().min(1).max(MAX_FACT_TOP_K).optional(),
  filter: z.record(z.string(), z.unknown()).optional(),
  asOf: time.optional(),
  validAt: time.optional(),
  includeInvalid: z.boolean().optional(),
  minScore: z.number().optional(),
});
export const updateOptionsSchema = z.strictObject({ ifVersion: version.optional(), reason: note.optional(), by: note.optional() });
export const invalidateOptionsSchema = z.strictObject({
  at: time.optional(),
  reason: note.optional(),
  ifVersion: version.optional(),
  by: note.optional(),
});
export const factListSchema = z.strictObject({
  limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
  cursor: z.string().optional(),
  includeInvalid: z.boolean().optional(),
});

/** A checked fact: its text trimmed, its metadata known to be storable JSON. */
export type CheckedFact = Required<Pick<FactInput, 'text'>> & Omit<FactInput, 'text'>;

export function checkFacts(input: unknown): { facts: CheckedFact[]; many: boolean } {
  const many = Array.isArray(input);
  const list = many ? (input as unknown[]) : [input];
  if (list.length === 0 || list.length > MAX_FACT_BATCH) throw new ValidationError('facts', `must hold 1..${MAX_FACT_BATCH} facts`);
  const facts = list.map((f, i) => {
    const field = many ? `facts[${i}]` : 'fact';
    const c = parseOptions(factInputSchema, f, field, "{ text: 'The user lives in Paris' }");
    if (c.validFrom !== undefined && c.validTo !== undefined && c.validTo < c.validFrom)
      throw new ValidationError(`${field}.validTo`, 'must not be before validFrom');
    if (c.metadata !== undefined) serializeValue(c.metadata, 64 * 1024, `${field}.metadata`);
    return { ...c, text: c.text.trim() };
  });
  return { facts, many };
}

export const checkCurateOptions = (o: unknown): CurateOptions =>
  o === undefined ? {} : parseOptions(curateOptionsSchema, o, 'options', "{ idempotencyKey: 'turn-7' }");

/** Messages as `role: content` lines, in order: what the model reads and what the default key hashes. */
export function checkMessages(messages: unknown): { role: string; content: string }[] {
  if (!Array.isArray(messages)) throw new ValidationError('messages', `must be an array of messages, got ${typeName(messages)}`);
  if (messages.length === 0 || messages.length > MAX_INGEST_MESSAGES)
    throw new ValidationError('messages', `must hold 1..${MAX_INGEST_MESSAGES} messages`);
  return (messages as IngestMessage[]).map((m, i) => {
    const r = ingestMessageSchema.safeParse(m);
    if (!r.success) throw new ValidationError(`messages[${i}]`, 'must be text or { role, content } (non-blank, well-formed)');
    return typeof r.data === 'string' ? { role: 'user', content: r.data } : r.data;
  });
}

export const checkSearch = (q: unknown): FactSearch & { topK: number } => {
  const c = parseOptions(factSearchSchema, q, 'query', "{ text: 'where does the user live?' }");
  return { ...c, topK: c.topK ?? 10 };
};

export const checkFactId = (id: unknown): string => validateKey(id, 'id');

export const checkUpdate = (text: unknown, o: unknown): { text: string; options: UpdateFactOptions } => {
  const t = text_(text, 'text');
  return { text: t, options: o === undefined ? {} : parseOptions(updateOptionsSchema, o, 'options', '{ ifVersion: 12 }') };
};

export const checkInvalidate = (o: unknown): InvalidateOptions =>
  o === undefined ? {} : parseOptions(invalidateOptionsSchema, o, 'options', "{ reason: 'the user moved' }");

export const checkList = (o: unknown): FactListOptions => (o === undefined ? {} : parseOptions(factListSchema, o, 'options', '{ limit: 50 }'));

function text_(v: unknown, field: string): string {
  const r = text(MAX_FACT_CHARS).safeParse(v);
  if (!r.success) throw new ValidationError(field, `must be well-formed, non-blank text of 1..${MAX_FACT_CHARS} characters, got ${typeName(v)}`);
  return r.data.trim();
}
