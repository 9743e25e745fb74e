import { z } from 'zod';
import type { AnswerShape } from './llm.js';

/**
 * Memex's own prompts for curated memory, versioned: a change of wording is a new `version`, so a
 * history entry's source can say which prompt produced it. Override them in `openMemex({ memories:
 * { prompts } })`; the answer's structure is not overridable (it is what Memex validates).
 */
export interface MemoryPrompts {
  readonly version: string;
  /** Instructions for extracting facts from a conversation. */
  readonly extract: string;
  /** Instructions for consolidating new facts with similar known ones. */
  readonly consolidate: string;
}

export const DEFAULT_PROMPTS: MemoryPrompts = Object.freeze({
  version: 'memex-facts@1',
  extract: [
    'You extract durable facts about the user and their world from a conversation, for a long-term memory.',
    'Return JSON {"facts": [...]}. Each fact is one short, self-contained statement in the third person',
    '("The user lives in Paris"), with "subject" (who or what it is about, or null), and "validFrom"/"validTo"',
    '(ISO 8601 dates when the conversation says when it became or stopped being true, else null).',
    'Skip greetings, questions, opinions about the conversation itself and anything transient. No facts: {"facts": []}.',
  ].join('\n'),
  consolidate: [
    'You maintain a long-term memory of facts. You are given NEW facts, each with an index, and for each the',
    'KNOWN facts most similar to it, each with an id. Decide for every new fact exactly one action:',
    '"none" (it is already known: give the known id), "update" (it refines or corrects a known fact about the',
    'same thing: give the id and the merged "text"), "invalidate" (it says a known fact is no longer true and',
    'adds nothing else: give the id), or "add" (it is new; list in "invalidates" the ids of known facts it',
    'contradicts). Use only ids you were given. Return JSON {"decisions": [{"fact", "action", "id", "text", "invalidates"}]}',
    'with one decision per new fact; unused fields are null (or [] for "invalidates").',
  ].join('\n'),
});

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date');

const extraction = z.strictObject({
  facts: z
    .array(
      z.strictObject({
        text: z.string().min(1).max(2000),
        subject: z.string().max(200).nullable(),
        validFrom: isoDate.nullable(),
        validTo: isoDate.nullable(),
      }),
    )
    .max(100),
});

const decisions = z.strictObject({
  decisions: z
    .array(
      z.strictObject({
        fact: z.number().int().min(0),
        action: z.enum(['add', 'update', 'invalidate', 'none']),
        id: z.string().nullable(),
        text: z.string().min(1).max(2000).nullable(),
        invalidates: z.array(z.string()).max(20),
      }),
    )
    .max(1000),
});

export type Extraction = z.infer<typeof extraction>;
export type Decisions = z.infer<typeof decisions>;

const shape = <T>(name: string, schema: z.ZodType<T>): AnswerShape<T> => ({
  name,
  schema,
  jsonSchema: Object.freeze(z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>),
});

/** The answer of an extraction: the facts found in the messages. */
export const EXTRACTION = shape('memex_extracted_facts', extraction);
/** The answer of a consolidation: one decision per new fact. */
export const DECISIONS = shape('memex_fact_decisions', decisions);
