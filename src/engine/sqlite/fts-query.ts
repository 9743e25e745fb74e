const MAX_TERMS = 32;

/**
 * An FTS5 query for plain user text: its words (letters and digits only), each quoted, joined by
 * OR. User text never reaches FTS5's query syntax, so `NEAR(`, `*`, `"`, `-` or column filters in
 * it are just characters. Undefined when the text has no words.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text
    .normalize('NFKC')
    .toLowerCase()
    .match(/[\p{L}\p{N}]+/gu);
  if (!words) return undefined;
  return [...new Set(words)]
    .slice(0, MAX_TERMS)
    .map((w) => `"${w}"`)
    .join(' OR ');
}
