/**
 * The examples in /openapi.json show what the server really answers (issue 31: the sites
 * examples showed `successes`/`failures` where the server answers `okVisits`/`failedVisits`).
 * Against a real server, every operation's example (a protocol's steps aside) is sent twice, in the document's order (the
 * first round makes the records the second round reads); for each second answer that is an
 * object (or a list of objects), its fields are exactly the example's — a field the example shows
 * that the server never sends, or one the server sends that the example leaves out, fails — and
 * the answer parses with the operation's result schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openMemex } from '../../src/index.js';
import { OPS, opPath } from '../../src/contract/index.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { post } from '../helpers/http.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

/** The field names of an object answer, or of a list's first object; undefined for anything else. */
function fieldsOf(v: unknown): string[] | undefined {
  const o = Array.isArray(v) ? v[0] : v;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  return Object.keys(o).sort();
}

/** The optional fields of an object schema (or of a list's items). */
function optionalFields(schema: z.ZodType): Set<string> {
  const s = schema instanceof z.ZodArray ? (schema.element as z.ZodType) : schema;
  if (!(s instanceof z.ZodObject)) return new Set();
  return new Set(
    Object.entries(s.shape as Record<string, z.ZodType>)
      .filter(([, f]) => f.isOptional())
      .map(([k]) => k),
  );
}

/** Answers whose field names are data, not a shape (a metadata object, a profile, per-store counts). */
const DATA_KEYED = new Set(['profiles.get', 'kv.get', 'kv.getMany', 'cache.get']);

let url = '';
beforeAll(async () => {
  const path = tempDbPath();
  ({ url } = await serverAt(path, () => openMemex({ path, durability: 'normal' })));
});
afterAll(async () => {
  await stopServers();
  cleanupTemp();
});

describe('the examples of /openapi.json are what the server answers', () => {
  it('every object answer has exactly the fields its example shows, and parses with its result schema', async () => {
    // A protocol's steps (claim, acquire, commit…) take what an earlier step answered: their
    // examples name leases and claims of another run, so they are left to the tests of those protocols.
    const ops = OPS.filter((o) => !o.internal);
    for (const op of ops) await post(url, opPath(op.id), op.example.args);
    let compared = 0;
    const mismatches: string[] = [];
    for (const op of ops) {
      const a = await post(url, opPath(op.id), op.example.args);
      if (a.status !== 200 || !('result' in op.example) || DATA_KEYED.has(op.id)) continue;
      const result = (a.body as { result?: unknown }).result;
      const got = fieldsOf(result);
      const want = fieldsOf(op.example.result);
      if (got === undefined || want === undefined) continue;
      const parsed = op.result.safeParse(result);
      if (!parsed.success) mismatches.push(`${op.id}: the answer does not parse with its schema: ${parsed.error.issues[0]?.message}`);
      // A field the schema makes optional (a list's `cursor`) may be absent from one answer.
      const optional = optionalFields(op.result);
      const missing = want.filter((f) => !got.includes(f) && !optional.has(f));
      const unshown = got.filter((f) => !want.includes(f));
      if (missing.length + unshown.length > 0)
        mismatches.push(`${op.id}: the example shows ${want.join(', ')}; the server answers ${got.join(', ')}`);
      compared++;
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(25);
  });
});
