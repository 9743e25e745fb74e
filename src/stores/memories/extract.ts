import { LlmError } from '../../errors.js';
import { askJson } from '../../llm/ask-json.js';
import type { Llm, LlmCounters } from '../../llm/llm.js';
import { EXTRACTION } from '../../llm/prompts.js';
import { MAX_FACT_CHARS } from '../../values/limits.js';

/** A fact the model extracted, with its times as Unix ms. */
export interface ExtractedFact {
  text: string;
  subject?: string;
  validFrom?: number;
  validTo?: number;
}

/**
 * Asks the model for the facts of a conversation. Its answer is held to the same rules as a
 * caller's facts (text length, validity not ending before it starts): a model is an input too.
 */
export async function extractFacts(
  llm: Llm,
  counters: LlmCounters,
  prompt: string,
  messages: readonly { role: string; content: string }[],
): Promise<ExtractedFact[]> {
  const transcript = messages.map((m) => `${m.role}: ${m.content}`).join('\n');
  const answer = await askJson(llm, counters, EXTRACTION, prompt, transcript);
  return answer.facts.map((f, i) => {
    const text = f.text.trim();
    if (text === '' || text.length > MAX_FACT_CHARS || !text.isWellFormed())
      throw new LlmError('schema', `the language model's fact ${i} is not well-formed text of 1..${MAX_FACT_CHARS} characters`);
    const validFrom = f.validFrom === null ? undefined : Date.parse(f.validFrom);
    const validTo = f.validTo === null ? undefined : Date.parse(f.validTo);
    if (validFrom !== undefined && validTo !== undefined && validTo < validFrom)
      throw new LlmError('schema', `the language model's fact ${i} stops being valid before it starts`);
    return {
      text,
      ...(f.subject === null ? {} : { subject: f.subject }),
      ...(validFrom === undefined ? {} : { validFrom }),
      ...(validTo === undefined ? {} : { validTo }),
    };
  });
}
