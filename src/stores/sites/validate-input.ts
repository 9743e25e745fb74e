/**
 * Input checks of the sites store: each returns the value to store or throws ValidationError
 * naming the field. They run before any engine call, so refused input never writes anything.
 */
import { ValidationError } from '../../errors.js';
import { serializeValue } from '../../values/json.js';
import { typeName } from '../../values/keys.js';
import {
  DEFAULT_PROMPT_CHARS,
  MAX_DURATION_MS,
  MAX_INTENT_LENGTH,
  MAX_NAME_LENGTH,
  MAX_NOTE_LENGTH,
  MAX_PROMPT_CHARS,
  MAX_QUIRK_LENGTH,
  MAX_SELECTOR_LENGTH,
  MAX_STEPS,
  MAX_STEPS_BYTES,
} from './limits.js';
import { collapseSpace, type VisitInput } from './site-profile.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Control characters that are not whitespace (whitespace is collapsed in free text). */
// eslint-disable-next-line no-control-regex
const CONTROL_NOT_SPACE = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f]/;

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new ValidationError(field, `must be a string, got ${typeName(v)}`);
  if (!v.isWellFormed()) throw new ValidationError(field, 'must not contain lone surrogates');
  return v;
}

function maxLen(s: string, max: number, field: string): string {
  if (s.length > max) throw new ValidationError(field, `must be at most ${max} characters, got ${s.length}`);
  return s;
}

/** A selector name: exact (case-sensitive), 1..100 characters, no control characters, no surrounding spaces. */
export function checkName(v: unknown, field = 'name'): string {
  const s = str(v, field);
  if (s.trim().length === 0) throw new ValidationError(field, 'must not be empty or blank');
  if (s !== s.trim()) throw new ValidationError(field, 'must not start or end with whitespace');
  if (CONTROL.test(s)) throw new ValidationError(field, 'must not contain control characters');
  return maxLen(s, MAX_NAME_LENGTH, field);
}

/** A selector: trimmed, 1..500 characters, no control characters (so one line of a prompt). */
export function checkSelector(v: unknown, field = 'selector'): string {
  const s = str(v, field).trim();
  if (s.length === 0) throw new ValidationError(field, 'must not be empty or blank');
  if (CONTROL.test(s)) throw new ValidationError(field, 'must not contain control characters');
  return maxLen(s, MAX_SELECTOR_LENGTH, field);
}

/** Free text (quirks, notes, intents): whitespace collapsed, then 1..`max` characters. */
export function checkText(v: unknown, max: number, field: string): string {
  const raw = str(v, field);
  if (CONTROL_NOT_SPACE.test(raw)) throw new ValidationError(field, 'must not contain control characters');
  const s = collapseSpace(raw);
  if (s.length === 0) throw new ValidationError(field, 'must not be empty or blank');
  return maxLen(s, max, field);
}

export const checkQuirk = (v: unknown): string => checkText(v, MAX_QUIRK_LENGTH, 'text');
export const checkIntent = (v: unknown): string => checkText(v, MAX_INTENT_LENGTH, 'intent');

export function checkOk(v: unknown, field = 'ok'): boolean {
  if (typeof v !== 'boolean') throw new ValidationError(field, `must be a boolean, got ${typeName(v)}`);
  return v;
}

/** Action steps: a non-empty JSON array of at most 50 steps and 8 KiB (and `maxValueBytes`). */
export function checkSteps(v: unknown, maxValueBytes: number): unknown[] {
  if (!Array.isArray(v)) throw new ValidationError('steps', `must be a JSON array of steps, got ${typeName(v)}`);
  if (v.length === 0) throw new ValidationError('steps', 'must not be empty');
  if (v.length > MAX_STEPS) throw new ValidationError('steps', `must have at most ${MAX_STEPS} steps, got ${v.length}`);
  const json = serializeValue(v, Math.min(MAX_STEPS_BYTES, maxValueBytes), 'steps');
  // A clean copy: no caller-owned object reaches the record.
  return JSON.parse(json) as unknown[];
}

/** Options object: `undefined` or a plain object with only the `allowed` keys. */
function options(v: unknown, allowed: readonly string[], field = 'options'): Record<string, unknown> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValidationError(field, `must be an object, got ${typeName(v)}`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw new ValidationError(`${field}.${k}`, `unknown option; expected one of ${allowed.join(', ')}`);
  }
  return v as Record<string, unknown>;
}

/** The visit of `recordVisit`: `{ ok, durationMs?, note? }` (the object itself is required); errors name `visit`, the parameter. */
export function checkVisit(v: unknown): VisitInput {
  if (v === undefined) throw new ValidationError('visit', 'is required: { ok, durationMs?, note? }');
  const o = options(v, ['ok', 'durationMs', 'note'], 'visit');
  const ok = checkOk(o.ok, 'visit.ok');
  const d = o.durationMs;
  if (d !== undefined && (typeof d !== 'number' || !Number.isFinite(d) || d < 0 || d > MAX_DURATION_MS)) {
    throw new ValidationError('visit.durationMs', `must be a finite number of milliseconds from 0 to ${MAX_DURATION_MS}`);
  }
  const note = o.note === undefined ? undefined : checkText(o.note, MAX_NOTE_LENGTH, 'visit.note');
  return { ok, durationMs: d, note };
}

/** `contextForPrompt` options: `{ maxChars? }`, an integer 1..100000 (default 1500). */
export function checkPromptOptions(v: unknown): { maxChars: number } {
  const o = options(v, ['maxChars']);
  const m = o.maxChars === undefined ? DEFAULT_PROMPT_CHARS : o.maxChars;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_PROMPT_CHARS) {
    throw new ValidationError('options.maxChars', `must be an integer from 1 to ${MAX_PROMPT_CHARS}`);
  }
  return { maxChars: m };
}
