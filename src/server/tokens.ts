import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Access } from '../contract/op.js';
import { ValidationError } from '../errors.js';
import { namespacePattern, patternRank } from '../values/namespace-pattern.js';

/** The `--tokens` file: a JSON array of these. */
export const tokensFileSchema = z
  .array(
    z.object({
      token: z.string().min(16, 'must be at least 16 characters (use a random secret)'),
      namespaces: z.array(namespacePattern).min(1),
      access: z.enum(['read', 'write', 'admin']),
      /** Shown in logs and metrics instead of the secret. */
      name: z.string().optional(),
    }),
  )
  .min(1);

/** One accepted bearer token (the secret kept only as its SHA-256). */
export interface Principal {
  readonly name: string;
  readonly namespaces: readonly string[];
  readonly access: Access;
}

const RANK: Record<Access, number> = { read: 0, write: 1, admin: 2 };
const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * Bearer tokens. Lookup hashes the presented token and compares it with every known digest in
 * constant time (no early exit), so response timing reveals neither which token nor how much of
 * one matched.
 */
export class Tokens {
  private readonly entries: { digest: Buffer; principal: Principal }[];

  constructor(list: z.infer<typeof tokensFileSchema>) {
    this.entries = list.map((t, i) => ({
      digest: digest(t.token),
      principal: Object.freeze({ name: t.name ?? `token#${i + 1}`, namespaces: Object.freeze([...t.namespaces]), access: t.access }),
    }));
  }

  /** Reads and validates a tokens file. */
  static fromFile(path: string): Tokens {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ValidationError('--tokens', `cannot read ${path} as JSON: ${(e as Error).message}`);
    }
    const parsed = tokensFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ValidationError(`--tokens[${issue.path.join('.')}]`, issue.message);
    }
    return new Tokens(parsed.data);
  }

  /** The principal of an `Authorization` header value, or `undefined`. */
  authenticate(header: string | undefined): Principal | undefined {
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const presented = digest(m?.[1] ?? '');
    let found: Principal | undefined;
    for (const e of this.entries) if (timingSafeEqual(e.digest, presented) && m) found = e.principal;
    return found;
  }
}

/** Whether `p` may perform an operation of `access` on namespace `ns` (`null`: an operation on the whole store). */
export function allows(p: Principal, ns: string | null, access: Access): boolean {
  if (RANK[p.access] < RANK[access]) return false;
  if (ns === null) return p.namespaces.includes('*');
  return p.namespaces.some((pat) => patternRank(pat, ns) !== undefined);
}
