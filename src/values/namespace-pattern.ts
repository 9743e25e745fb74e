import { z } from 'zod';

/**
 * A pattern of namespaces, as tokens and per-namespace settings write them: `"*"` (every one), an
 * exact namespace, or `"acme/*"` (every namespace under `acme/`, not `acme` itself).
 */
export const namespacePattern = z
  .string()
  .regex(/^(\*|[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*(\/\*)?)$/, 'must be "*", a namespace, or a namespace prefix ending in "/*"');

/**
 * How specifically `pattern` matches namespace `ns` — higher is more specific: an exact name, then
 * a longer prefix, then `*` (0) — or `undefined` when it does not match.
 *
 * @example
 * ```ts
 * patternRank('acme/*', 'acme/voice'); // 5
 * patternRank('acme/*', 'acme');       // undefined
 * ```
 */
export function patternRank(pattern: string, ns: string): number | undefined {
  if (pattern === ns) return Number.MAX_SAFE_INTEGER;
  if (pattern === '*') return 0;
  const prefix = pattern.slice(0, -1); // 'acme/*' -> 'acme/'
  return pattern.endsWith('/*') && ns.startsWith(prefix) ? prefix.length : undefined;
}
