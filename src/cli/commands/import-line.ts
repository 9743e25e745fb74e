import { z } from 'zod';
import { ValidationError } from '../../errors.js';
import * as names from '../../stores/names.js';
import { parseOptions } from '../../values/options.js';
import type { ExportLine } from './export.js';

/** A line of an export read back, with its line number (1-based) for messages and resuming. */
export interface ImportLine extends ExportLine {
  readonly lineNo: number;
}

const STORES: ReadonlySet<string> = new Set(Object.values(names));
const time = z.number().finite();

// Unknown fields are allowed: a later version may add some, and this one ignores them.
const lineSchema = z.object({
  ns: z.string().min(1),
  store: z.string().refine((s) => STORES.has(s), { message: `must be one of ${[...STORES].join(', ')}` }),
  key: z.string().min(1),
  value: z.custom<unknown>((v) => v !== undefined, 'is missing'),
  version: z.number().int().nonnegative(),
  createdAt: time,
  updatedAt: time,
  expiresAt: time.nullable(),
  rank: time.nullable(),
});

/**
 * Parses one NDJSON line of `memex export`, refusing it with the line and the field named.
 * Versions and times are the source's: the target gives every record a version of its own.
 */
export function parseLine(text: string, lineNo: number): ImportLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(`line ${lineNo}`, `is not JSON (${(e as Error).message})`);
  }
  const line = parseOptions(lineSchema, json, `line ${lineNo}`, '{"ns","store","key","value","version",…} (a line of memex export)');
  return { ...line, lineNo };
}
