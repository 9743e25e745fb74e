import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Parses an options object with a zod schema and turns the first problem into a ValidationError
 * naming the exact option (`options.events.maxEvents`); unknown names are refused, so a typo never
 * silently falls back to a default. `root` is how errors name the object itself.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, root: string, example: string): z.output<S> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError(root, `must be an object such as ${example}`);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `${root}.${issue.path.map(String).join('.')}` : root;
  if (issue?.code === 'unrecognized_keys') {
    throw new ValidationError(issue.keys.map((k) => `${path}.${k}`).join(', '), 'unknown option');
  }
  throw new ValidationError(path, issue?.message ?? 'invalid');
}
