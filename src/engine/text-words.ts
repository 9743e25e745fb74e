const MAX_TERMS = 32;

/**
 * The words of plain user text for a full-text query: letters and digits only, NFKC-normalized,
 * lower-cased, deduplicated, at most 32. Engines quote each word in their own query syntax, so
 * operators typed by a user (`NEAR(`, `*`, `"`, `-`, `&`, `!`) are never syntax.
 */
export function queryWords(text: string): string[] {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  return words ? [...new Set(words)].slice(0, MAX_TERMS) : [];
}
