import { LlmError } from '../errors.js';
import type { AnswerShape, Llm, LlmCounters } from './llm.js';

/** Strips a Markdown code fence some models put around JSON even when asked not to. */
const unfence = (text: string): string => {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m ? m[1]! : text;
};

/**
 * One model call whose answer must be JSON of `shape`: the answer is parsed and validated here,
 * so whatever the model says, the caller gets a value of type T or an `LlmError` (`malformed`:
 * not JSON; `schema`: JSON of another structure) — never something half right to write.
 * Counts the call and its tokens in `counters`.
 */
export async function askJson<T>(llm: Llm, counters: LlmCounters, shape: AnswerShape<T>, system: string, user: string): Promise<T> {
  counters.calls++;
  let answer;
  try {
    answer = await llm.complete({ system, user, schemaName: shape.name, jsonSchema: shape.jsonSchema });
  } catch (e) {
    counters.failures++;
    throw e instanceof LlmError ? e : new LlmError('unavailable', `the language model failed: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  }
  counters.promptTokens += answer.promptTokens;
  counters.completionTokens += answer.completionTokens;
  let parsed: unknown;
  try {
    parsed = JSON.parse(unfence(answer.text));
  } catch {
    counters.failures++;
    throw new LlmError('malformed', `the language model's answer to ${shape.name} is not JSON: ${clip(answer.text)}`);
  }
  const checked = shape.schema.safeParse(parsed);
  if (!checked.success) {
    counters.failures++;
    const issue = checked.error.issues[0]!;
    throw new LlmError(
      'schema',
      `the language model's answer to ${shape.name} has ${issue.path.join('.') || 'its top level'} wrong: ${issue.message}`,
    );
  }
  return checked.data;
}

const clip = (s: string): string => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
