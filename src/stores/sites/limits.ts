/**
 * Every bound of the sites store. Lengths are in UTF-16 code units (`string.length`), the unit
 * `contextForPrompt`'s `maxChars` uses too. With these bounds the largest possible site record
 * is about 0.7 MB of JSON (all text at 3 UTF-8 bytes per unit), under the default
 * `maxValueBytes` of 1 MiB; a store opened with a smaller `maxValueBytes` refuses (LimitError)
 * a change that would make a record larger than that, and writes nothing.
 */

/** The store name in the engine (records keyed by normalized host). */

/** Longest URL accepted as input. */
export const MAX_URL_LENGTH = 2048;
/** Longest host name (DNS limit), and longest label in it. */
export const MAX_HOST_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

/** Longest selector name (`'searchBox'`, `'login.submit'`). */
export const MAX_NAME_LENGTH = 100;
/** Longest selector string. */
export const MAX_SELECTOR_LENGTH = 500;
/** Selector names per site: the least recently touched name is dropped beyond this. */
export const MAX_SELECTOR_NAMES = 50;
/** Candidate selectors kept per name: the lowest-ranked other candidate is dropped beyond this. */
export const MAX_SELECTORS_PER_NAME = 4;

/** Longest quirk text (after trimming and collapsing whitespace). */
export const MAX_QUIRK_LENGTH = 300;
/** Quirks per site: the least recently seen one is dropped beyond this. */
export const MAX_QUIRKS = 30;

/** Longest intent (after trimming and collapsing whitespace). */
export const MAX_INTENT_LENGTH = 200;
/** Action patterns per site: the least recently cached one is dropped beyond this. */
export const MAX_ACTIONS = 30;
/** Most steps in one action pattern. */
export const MAX_STEPS = 50;
/** Largest action pattern, in bytes of serialized JSON (also capped by `maxValueBytes`). */
export const MAX_STEPS_BYTES = 8192;

/** Longest visit note (after trimming and collapsing whitespace). */
export const MAX_NOTE_LENGTH = 300;
/** Visit notes kept per site, newest first. */
export const MAX_NOTES = 10;

/** Largest `durationMs` of a visit: one day. */
export const MAX_DURATION_MS = 86_400_000;

/** `contextForPrompt` output bound: default and accepted range of `maxChars`. */
export const DEFAULT_PROMPT_CHARS = 1500;
export const MAX_PROMPT_CHARS = 100_000;
