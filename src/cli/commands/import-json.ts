import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { MemexScope } from '../../api/memex.js';
import { MemexError, ValidationError } from '../../errors.js';
import { normalizeHost } from '../../stores/sites/normalize-host.js';
import { checkIntent, checkName, checkQuirk, checkSelector, checkSteps } from '../../stores/sites/validate-input.js';
import { parseOptions } from '../../values/options.js';
import { parseJson, withStore, type LookFlags } from './look.js';
import type { OnConflict } from './import-records.js';

/** What an import of a JSON document did, per kind of entry. */
export interface JsonImportReport {
  imported: number;
  replaced: number;
  unchanged: number;
  skipped: number;
}

const readDoc = (file: string): unknown => parseJson(file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8'), file);

const conflict = (what: string) => new MemexError('version_conflict', `${what} exists with another value (--on-conflict fail); nothing was imported`);

/**
 * `--from session-json`: a JSON object of session state, each property a kv key of `--ns`, in one
 * transaction (all or nothing). A key that holds the same value already is left as it is.
 */
export function importSessionJson(file: string, o: LookFlags & { onConflict: OnConflict }): Promise<JsonImportReport> {
  const doc = readDoc(file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new ValidationError(file, 'must be a JSON object of key -> value');
  const entries = Object.entries(doc);
  return withStore(o, (s) =>
    s.kv.transaction((tx) => {
      const r: JsonImportReport = { imported: 0, replaced: 0, unchanged: 0, skipped: 0 };
      for (const [key, value] of entries) {
        const current = tx.getEntry(key);
        if (current && isDeepStrictEqual(current.value, value)) r.unchanged++;
        else if (current && o.onConflict === 'skip') r.skipped++;
        else if (current && o.onConflict === 'fail') throw conflict(`kv key ${JSON.stringify(key)}`);
        else {
          tx.set(key, value);
          if (current) r.replaced++;
          else r.imported++;
        }
      }
      return r;
    }),
  );
}

/**
 * The site-memory document `--from site-memory` accepts (see README "Moving in"): per site (a URL
 * or host), the selector cached for each name, its quirks and the steps of each action, and
 * user profiles by id.
 */
const siteMemorySchema = z.strictObject({
  sites: z
    .record(
      z.string(),
      z.strictObject({
        selectors: z.record(z.string(), z.string()).optional(),
        quirks: z.array(z.string()).optional(),
        actions: z.record(z.string(), z.array(z.unknown())).optional(),
      }),
    )
    .optional(),
  profiles: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

/** One entry of the document: whether the store holds it (`existed`), and the same (`same`). */
type Step = { what: string; existed: boolean; same: boolean; write: () => Promise<unknown> };

/**
 * `--from site-memory`: every entry is checked first (a bad one refuses the file, nothing
 * written), then what differs is written through the stores' own operations; an entry the store
 * holds already is left as it is, so importing the file twice changes nothing.
 */
export function importSiteMemory(file: string, o: LookFlags & { onConflict: OnConflict }): Promise<JsonImportReport> {
  const doc = parseOptions(siteMemorySchema, readDoc(file), file, '{ "sites": { "example.com": { "selectors": {…} } }, "profiles": {…} }');
  return withStore(o, async (s) => {
    const steps = await plan(s, doc);
    const r: JsonImportReport = { imported: 0, replaced: 0, unchanged: 0, skipped: 0 };
    const clash = steps.find((st) => st.existed && !st.same);
    if (o.onConflict === 'fail' && clash) throw conflict(clash.what);
    for (const st of steps) {
      if (st.same) r.unchanged++;
      else if (st.existed && o.onConflict === 'skip') r.skipped++;
      else {
        await st.write();
        if (st.existed) r.replaced++;
        else r.imported++;
      }
    }
    return r;
  });
}

/** Every entry of the document, checked, with what the store holds for it now. */
async function plan(s: MemexScope, doc: z.output<typeof siteMemorySchema>): Promise<Step[]> {
  const steps: Step[] = [];
  const step = (what: string, current: unknown, wanted: unknown, write: () => Promise<unknown>) =>
    steps.push({ what, existed: current !== undefined, same: isDeepStrictEqual(current, wanted), write });
  for (const [url, site] of Object.entries(doc.sites ?? {})) {
    const host = normalizeHost(url, `sites.${url}`);
    for (const [name, selector] of Object.entries(site.selectors ?? {})) {
      const n = checkName(name, `sites.${url}.selectors`);
      const sel = checkSelector(selector, `sites.${url}.selectors.${name}`);
      step(`selector ${n} of ${host}`, await s.sites.selector(host, n), sel, () => s.sites.cacheSelector(host, n, sel));
    }
    // Quirks are kept once each, compared ignoring case and whitespace (as recordQuirk does).
    const fold = (q: string) => q.replace(/\s+/g, ' ').trim().toLowerCase();
    const known = new Set((await s.sites.quirks(host)).map(fold));
    for (const text of site.quirks ?? []) {
      const t = checkQuirk(text);
      steps.push({ what: `quirk of ${host}`, existed: false, same: known.has(fold(t)), write: () => s.sites.recordQuirk(host, t) });
      known.add(fold(t));
    }
    for (const [intent, actionSteps] of Object.entries(site.actions ?? {})) {
      const i = checkIntent(intent);
      const st = checkSteps(actionSteps, Number.MAX_SAFE_INTEGER);
      step(`action ${JSON.stringify(i)} of ${host}`, await s.sites.actionPattern(host, i), st, () => s.sites.cacheActionPattern(host, i, st));
    }
  }
  for (const [userId, profile] of Object.entries(doc.profiles ?? {})) {
    step(`profile ${JSON.stringify(userId)}`, await s.profiles.get(userId), profile, () => s.profiles.set(userId, profile));
  }
  return steps;
}
