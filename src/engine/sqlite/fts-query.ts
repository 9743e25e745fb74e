import { queryWords } from '../text-words.js';

/**
 * An FTS5 query for plain user text: its words, each quoted, joined by OR. User text never
 * reaches FTS5's query syntax. Undefined when the text has no words.
 */
export function ftsQuery(text: string): string | undefined {
  const words = queryWords(text);
  return words.length === 0 ? undefined : words.map((w) => `"${w}"`).join(' OR ');
}
