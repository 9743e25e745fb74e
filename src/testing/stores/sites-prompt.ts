/**
 * Sites store: `contextForPrompt` (exact format, determinism, the `maxChars` bound, proven by
 * fast-check over arbitrary profiles) and concurrency (no lost update across async callers and
 * across processes).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Memex, type MemexScope } from '../../index.js';
import { contextLines, renderContext } from '../../stores/sites/context-for-prompt.js';
import type { SiteProfile } from '../../stores/sites/site-profile.js';
import { ManualClock } from '../clock.js';
import type { SuiteEnv } from '../target.js';

/** Keys the store refuses in any value (prototype pollution, CWE-1321): not "arbitrary store calls". */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const hasForbiddenKey = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && Object.entries(v).some(([k, x]) => FORBIDDEN_KEYS.has(k) || hasForbiddenKey(x));
/** JSON the store accepts as an action step (fast-check's jsonValue can draw a forbidden key). */
const storableJson = fc.jsonValue({ maxDepth: 2 }).filter((v) => !hasForbiddenKey(v));

export function sitesPromptSuite(env: SuiteEnv): void {
  let mx: Memex;
  let path: string;
  let clock: ManualClock;

  beforeEach(async () => {
    clock = new ManualClock(1_714_564_800_000); // 2024-05-01T12:00:00.000Z
    path = env.location();
    mx = await env.openTestMemex({ clock: clock.now }, path);
  });
  afterEach(async () => {
    await mx.close();
    await env.cleanup();
  });

  async function seed(m: MemexScope): Promise<void> {
    const s = m.sites;
    await s.recordVisit('https://www.shop.example/', { ok: true, durationMs: 800 });
    await s.recordVisit('shop.example', { ok: false, durationMs: 1201, note: 'captcha shown' });
    await s.recordQuirk('shop.example', 'Cookie banner must be dismissed first');
    await s.recordQuirk('shop.example', 'cookie BANNER must be dismissed first');
    await s.cacheSelector('shop.example', 'login', 'button.login');
    await s.reportSelector('shop.example', 'login', false);
    await s.reportSelector('shop.example', 'login', true, '#login-btn');
    await s.cacheActionPattern('shop.example', 'log in', [{ click: '#login-btn' }, { fill: '#user' }]);
  }

  describe('sites: contextForPrompt', () => {
    it('renders a compact, fixed format; unknown sites give an empty string', async () => {
      expect(await mx.sites.contextForPrompt('nobody.example')).toBe('');
      await seed(mx);
      expect(await mx.sites.contextForPrompt('shop.example')).toBe(
        [
          'Site shop.example: 2 visits (1 ok, 1 failed), avg 1001 ms, last 2024-05-01T12:00:00.000Z',
          'Quirk: Cookie banner must be dismissed first (seen 2x)',
          'Selector "login": #login-btn (1 ok, 0 failed); fallback: button.login (0 ok, 1 failed, failing)',
          'Action "log in": [{"click":"#login-btn"},{"fill":"#user"}]',
          'Note 2024-05-01T12:00:00.000Z failed: captcha shown',
        ].join('\n'),
      );
      const site = await mx.sites.profile('shop.example');
      expect(site && contextLines(site)).toHaveLength(5);
    });

    it('cuts at maxChars: whole lines first, then one cut line ending in "…"', async () => {
      await seed(mx);
      const full = await mx.sites.contextForPrompt('shop.example', { maxChars: 100_000 });
      const lines = full.split('\n');
      const twoLines = lines[0]!.length + 1 + lines[1]!.length;
      expect(await mx.sites.contextForPrompt('shop.example', { maxChars: twoLines })).toBe(`${lines[0]}\n${lines[1]}`);
      const cut = await mx.sites.contextForPrompt('shop.example', { maxChars: twoLines + 20 });
      expect(cut).toBe(`${lines[0]}\n${lines[1]}\n${lines[2]!.slice(0, 18)}…`);
      expect(cut).toHaveLength(twoLines + 20);
      // Fewer than 12 characters left: the next line is left out rather than cut to a stub.
      expect(await mx.sites.contextForPrompt('shop.example', { maxChars: twoLines + 11 })).toBe(`${lines[0]}\n${lines[1]}`);
      expect(await mx.sites.contextForPrompt('shop.example', { maxChars: 10 })).toBe('Site shop…');
      expect(await mx.sites.contextForPrompt('shop.example', { maxChars: 1 })).toBe('…');
    });

    it('is the same across calls, processes (a reopened file) and scopes holding the same facts', async () => {
      await seed(mx);
      await seed(mx.scope('other'));
      const a = await mx.sites.contextForPrompt('shop.example', { maxChars: 300 });
      expect(await mx.scope('other').sites.contextForPrompt('shop.example', { maxChars: 300 })).toBe(a);
      expect(await mx.sites.contextForPrompt('https://SHOP.example/x', { maxChars: 300 })).toBe(a);
      await mx.close();
      mx = await env.openTestMemex({}, path);
      expect(await mx.sites.contextForPrompt('shop.example', { maxChars: 300 })).toBe(a);
    });

    it('never splits a surrogate pair when cutting', async () => {
      await mx.sites.recordQuirk('e.example', '😀'.repeat(100));
      const head = (await mx.sites.contextForPrompt('e.example', { maxChars: 1000 })).split('\n')[0]!.length;
      for (let m = head + 12; m < head + 40; m++) {
        const out = await mx.sites.contextForPrompt('e.example', { maxChars: m });
        expect(out.length).toBeLessThanOrEqual(m);
        expect(out.isWellFormed()).toBe(true);
      }
    });

    // --- property: arbitrary profiles (including ones the store would never write) -------------
    const text = fc.string({ unit: 'binary', maxLength: 80 });
    const ts = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.constantFrom(-1, 9e15, -9e15, Number.MAX_SAFE_INTEGER));
    const count = fc.nat({ max: 1_000_000 });
    const candidate = fc.record({
      selector: text,
      successes: count,
      failures: count,
      failStreak: fc.nat({ max: 5 }),
      lastSuccessAt: fc.option(ts),
      lastFailureAt: fc.option(ts),
      cachedAt: ts,
    });
    const profile: fc.Arbitrary<SiteProfile> = fc.record({
      host: fc.oneof(fc.domain(), text),
      visits: count,
      okVisits: count,
      failedVisits: count,
      timedVisits: count,
      totalDurationMs: fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 1e12 }),
      avgDurationMs: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true, min: 0, max: 86_400_000 })),
      firstVisitAt: fc.option(ts),
      lastVisitAt: fc.option(ts),
      lastOkAt: fc.option(ts),
      selectors: fc.array(fc.record({ name: text, candidates: fc.array(candidate, { maxLength: 4 }), updatedAt: ts }), { maxLength: 6 }),
      quirks: fc.array(fc.record({ text, count: fc.integer({ min: 1, max: 50 }), firstSeenAt: ts, lastSeenAt: ts }), { maxLength: 6 }),
      actions: fc.array(fc.record({ intent: text, steps: fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 4 }), updatedAt: ts }), {
        maxLength: 4,
      }),
      notes: fc.array(fc.record({ at: ts, ok: fc.boolean(), text }), { maxLength: 4 }),
      createdAt: ts,
      updatedAt: ts,
    });

    it('property: for arbitrary profiles and maxChars, length <= maxChars, deterministic, a prefix of the full text', () => {
      fc.assert(
        fc.property(profile, fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100_000 })), (p, maxChars) => {
          const a = renderContext(p, maxChars);
          const b = renderContext(structuredClone(p), maxChars);
          expect(a).toBe(b);
          expect(a.length).toBeLessThanOrEqual(maxChars);
          expect(a.isWellFormed()).toBe(true);
          const full = contextLines(p).join('\n');
          if (full.length <= maxChars) expect(a).toBe(full);
          else expect(full.startsWith(a.endsWith('…') ? a.slice(0, -1) : a)).toBe(true);
        }),
        { numRuns: 500 },
      );
    });

    it('property: profiles built by arbitrary store calls obey maxChars and render the same twice', async () => {
      const word = fc
        .string({ unit: fc.constantFrom('a', 'B', ' ', '€', '😀', '"', '\\', '#', '.', 'é', '>'), minLength: 1, maxLength: 60 })
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      const op = fc.oneof(
        fc.record({
          k: fc.constant('visit' as const),
          ok: fc.boolean(),
          d: fc.option(fc.integer({ min: 0, max: 86_400_000 }), { nil: undefined }),
          note: fc.option(word, { nil: undefined }),
        }),
        fc.record({ k: fc.constant('sel' as const), name: word, sel: word }),
        fc.record({ k: fc.constant('report' as const), name: word, ok: fc.boolean(), sel: fc.option(word, { nil: undefined }) }),
        fc.record({ k: fc.constant('quirk' as const), text: word }),
        fc.record({
          k: fc.constant('action' as const),
          intent: word,
          steps: fc.array(storableJson, { minLength: 1, maxLength: 5 }),
        }),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 25 }), fc.integer({ min: 1, max: 3000 }), async (ops, maxChars) => {
          const host = `run${run++}.example`;
          const s = mx.sites;
          for (const o of ops) {
            clock.advance(1);
            if (o.k === 'visit') await s.recordVisit(host, { ok: o.ok, durationMs: o.d, note: o.note });
            else if (o.k === 'sel') await s.cacheSelector(host, o.name, o.sel);
            else if (o.k === 'report') await s.reportSelector(host, o.name, o.ok, o.sel);
            else if (o.k === 'quirk') await s.recordQuirk(host, o.text);
            else await s.cacheActionPattern(host, o.intent, o.steps);
          }
          const a = await s.contextForPrompt(host, { maxChars });
          expect(a.length).toBeLessThanOrEqual(maxChars);
          expect(await s.contextForPrompt(host, { maxChars })).toBe(a);
          expect(a.isWellFormed()).toBe(true);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('sites: concurrency', () => {
    it('200 concurrent recordVisit calls count 200 visits; concurrent quirks and reports are all kept', async () => {
      const s = mx.sites;
      await Promise.all(Array.from({ length: 200 }, (_, i) => s.recordVisit(`https://www.race.example/p${i}`, { ok: i % 4 !== 0, durationMs: i })));
      const p = await s.profile('race.example');
      expect(p).toMatchObject({ visits: 200, okVisits: 150, failedVisits: 50, timedVisits: 200, totalDurationMs: 19_900, avgDurationMs: 99.5 });

      await s.cacheSelector('race.example', 'go', '#go');
      await Promise.all([
        ...Array.from({ length: 20 }, (_, i) => s.recordQuirk('race.example', `quirk ${i}`)),
        ...Array.from({ length: 60 }, () => s.reportSelector('race.example', 'go', true, '#go')),
      ]);
      const q = await s.profile('race.example');
      expect(q?.quirks).toHaveLength(20);
      expect(q?.selectors[0]?.candidates[0]?.successes).toBe(60);
    });
  });
}
