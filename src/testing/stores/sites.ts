/**
 * The sites store (SPEC.md "sites", issue 3 part 4): visits and averages, selector caching,
 * ranking and demotion, quirk dedup, action patterns, bounds, frozen snapshots, scopes, events
 * and counters. Normalization and malformed input: sites-inputs.test.ts; contextForPrompt and
 * concurrency: sites-prompt.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LimitError, type Memex, type SitesStore } from '../../index.js';
import { MAX_ACTIONS, MAX_NOTES, MAX_QUIRKS, MAX_SELECTOR_NAMES, MAX_SELECTORS_PER_NAME } from '../../stores/sites/limits.js';
import { ManualClock } from '../clock.js';
import type { SuiteEnv } from '../target.js';

export function sitesSuite(env: SuiteEnv): void {
  let mx: Memex;
  let sites: SitesStore;
  let clock: ManualClock;
  const URL_ = 'https://www.shop.example/cart?x=1';

  beforeEach(async () => {
    clock = new ManualClock();
    mx = await env.openTestMemex({ clock: clock.now });
    sites = mx.sites;
  });
  afterEach(async () => {
    await mx.close();
    await env.cleanup();
  });

  /** Assigns along `path` as untyped JavaScript could (test modules run in strict mode). */
  function assign(root: unknown, path: readonly (string | number)[], value: unknown): void {
    let o = root as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    o[path[path.length - 1]!] = value;
  }

  /** Advances the clock by 1 ms before each call, so every write has its own time. */
  async function tick<T>(p: () => Promise<T>): Promise<T> {
    clock.advance(1);
    return p();
  }

  describe('sites: visits', () => {
    it('counts visits, ok/failed, average duration and times; any URL of the site reaches the same record', async () => {
      expect(await sites.profile(URL_)).toBeUndefined();
      const t0 = clock.nowMs;
      await sites.recordVisit(URL_, { ok: true, durationMs: 100 });
      clock.advance(10);
      await sites.recordVisit('shop.example', { ok: false, durationMs: 250.5 });
      clock.advance(10);
      const p = await sites.recordVisit('HTTP://SHOP.EXAMPLE:80/other#x', { ok: true });
      expect(p).toMatchObject({
        host: 'shop.example',
        visits: 3,
        okVisits: 2,
        failedVisits: 1,
        timedVisits: 2,
        totalDurationMs: 350.5,
        avgDurationMs: 175.25,
        firstVisitAt: t0,
        lastVisitAt: t0 + 20,
        lastOkAt: t0 + 20,
        createdAt: t0,
        updatedAt: t0 + 20,
      });
      expect(await sites.profile('https://shop.example')).toEqual(p);
    });

    it('a visit without durationMs leaves the average null; durations 0 and the maximum are accepted', async () => {
      expect((await sites.recordVisit('a.example', { ok: true })).avgDurationMs).toBeNull();
      await sites.recordVisit('a.example', { ok: true, durationMs: 0 });
      const p = await sites.recordVisit('a.example', { ok: true, durationMs: 86_400_000 });
      expect(p.avgDurationMs).toBe(43_200_000);
    });

    it('keeps the newest notes only, whitespace collapsed', async () => {
      for (let i = 0; i < MAX_NOTES + 3; i++) await tick(() => sites.recordVisit('a.example', { ok: i % 2 === 0, note: `  note\n ${i} ` }));
      const p = await sites.profile('a.example');
      expect(p?.notes).toHaveLength(MAX_NOTES);
      expect(p?.notes[0]).toEqual({ at: clock.nowMs, ok: true, text: `note ${MAX_NOTES + 2}` });
      expect(p?.notes.map((n) => n.text)).toEqual(Array.from({ length: MAX_NOTES }, (_, i) => `note ${MAX_NOTES + 2 - i}`));
    });
  });

  describe('sites: list', () => {
    it('pages every site in host order, frozen, with a prefix; a forged cursor is refused', async () => {
      for (const h of ['c.example', 'a.example', 'b.example', 'api.other']) await tick(() => sites.recordVisit(`https://${h}/`, { ok: true }));
      await mx.scope('elsewhere').sites.recordVisit('z.example', { ok: true });
      const first = await sites.list({ limit: 2 });
      expect(first.items.map((p) => p.host)).toEqual(['a.example', 'api.other']);
      expect(Object.isFrozen(first.items[0])).toBe(true);
      const second = await sites.list({ limit: 2, cursor: first.cursor! });
      expect(second.items.map((p) => p.host)).toEqual(['b.example', 'c.example']);
      expect(second.cursor).toBeUndefined();
      expect((await sites.list({ prefix: 'a' })).items.map((p) => p.host)).toEqual(['a.example', 'api.other']);
      expect((await sites.list()).items[0]).toEqual(await sites.profile('a.example'));
      await expect(sites.list({ cursor: 'not a cursor!' })).rejects.toMatchObject({ code: 'invalid_input', field: 'options.cursor' });
      await expect(sites.list({ limit: 0 })).rejects.toMatchObject({ code: 'invalid_input', field: 'options.limit' });
    });
  });

  describe('sites: selectors', () => {
    it('caches and returns the best selector; unknown names and sites give undefined', async () => {
      expect(await sites.selector('a.example', 'search')).toBeUndefined();
      await sites.cacheSelector('a.example', 'search', '  input[name=q]  ');
      expect(await sites.selector('https://www.a.example/x', 'search')).toBe('input[name=q]');
      expect(await sites.selector('a.example', 'Search')).toBeUndefined(); // names are exact
      expect(await sites.selector('b.example', 'search')).toBeUndefined();
    });

    it('ranks: a newer untested candidate above an older untested one, a proven one above both', async () => {
      await tick(() => sites.cacheSelector('a.example', 'go', '#a'));
      await tick(() => sites.cacheSelector('a.example', 'go', '#b'));
      expect(await sites.selector('a.example', 'go')).toBe('#b'); // rule 4: more recently cached
      await tick(() => sites.reportSelector('a.example', 'go', true, '#a'));
      expect(await sites.selector('a.example', 'go')).toBe('#a'); // rule 2: score 1 > 0
      await tick(() => sites.cacheSelector('a.example', 'go', '#c'));
      expect(await sites.selector('a.example', 'go')).toBe('#a');
    });

    it('demotes a failing selector below every working one, however many successes it had', async () => {
      await tick(() => sites.cacheSelector('a.example', 'login', '#old'));
      for (let i = 0; i < 50; i++) await tick(() => sites.reportSelector('a.example', 'login', true));
      await tick(() => sites.cacheSelector('a.example', 'login', '#new'));
      expect(await sites.selector('a.example', 'login')).toBe('#old');
      // One failure of the best: the untested #new is tried next.
      expect(await tick(() => sites.reportSelector('a.example', 'login', false))).toBe('#new');
      // #new fails too: both failing, ranked by score (50 - 2 = 48 beats -2).
      expect(await tick(() => sites.reportSelector('a.example', 'login', false))).toBe('#old');
      // A success of #new ends its failing streak: it is working again and outranks failing #old.
      expect(await tick(() => sites.reportSelector('a.example', 'login', true, '#new'))).toBe('#new');
      const g = (await sites.profile('a.example'))?.selectors[0];
      expect(g?.candidates.map((c) => [c.selector, c.successes, c.failures, c.failStreak])).toEqual([
        ['#new', 1, 1, 0],
        ['#old', 50, 1, 1],
      ]);
      expect(g?.candidates[0]?.lastSuccessAt).toBe(clock.nowMs);
    });

    it('among working candidates, failures weigh twice: 3 ok + 1 failed (score 1) ranks below 2 ok (score 2)', async () => {
      await tick(() => sites.reportSelector('a.example', 'x', true, '#three'));
      await tick(() => sites.reportSelector('a.example', 'x', false, '#three'));
      await tick(() => sites.reportSelector('a.example', 'x', true, '#three'));
      await tick(() => sites.reportSelector('a.example', 'x', true, '#three'));
      await tick(() => sites.reportSelector('a.example', 'x', true, '#two'));
      await tick(() => sites.reportSelector('a.example', 'x', true, '#two'));
      expect(await sites.selector('a.example', 'x')).toBe('#two');
      // Equal score: the more recent success wins.
      await tick(() => sites.reportSelector('a.example', 'x', true, '#three'));
      expect(await sites.selector('a.example', 'x')).toBe('#three');
    });

    it('reportSelector: a success of an unknown selector caches it; a failure of one, or nothing cached, writes nothing', async () => {
      const before = await mx.events.lastSeq();
      expect(await sites.reportSelector('a.example', 'x', false)).toBeUndefined();
      expect(await sites.reportSelector('a.example', 'x', true)).toBeUndefined();
      expect(await sites.reportSelector('a.example', 'x', false, '#nope')).toBeUndefined();
      expect(await mx.events.lastSeq()).toBe(before);
      expect(await sites.profile('a.example')).toBeUndefined();
      expect(await sites.reportSelector('a.example', 'x', true, '#yes')).toBe('#yes');
      expect(await sites.reportSelector('a.example', 'x', false, '#nope')).toBe('#yes');
      expect((await sites.profile('a.example'))?.selectors[0]?.candidates).toHaveLength(1);
    });

    it('re-caching a known selector keeps its counts', async () => {
      await tick(() => sites.reportSelector('a.example', 'x', true, '#a'));
      await tick(() => sites.reportSelector('a.example', 'x', false, '#a'));
      await tick(() => sites.cacheSelector('a.example', 'x', '#a'));
      const c = (await sites.profile('a.example'))?.selectors[0]?.candidates[0];
      expect(c).toMatchObject({ selector: '#a', successes: 1, failures: 1, failStreak: 1, cachedAt: clock.nowMs });
    });

    it(`keeps at most ${MAX_SELECTORS_PER_NAME} candidates per name; the one just cached always stays`, async () => {
      for (let i = 0; i < MAX_SELECTORS_PER_NAME; i++) {
        await tick(() => sites.reportSelector('a.example', 'x', true, `#good${i}`));
      }
      await tick(() => sites.cacheSelector('a.example', 'x', '#newest'));
      const sels = (await sites.profile('a.example'))?.selectors[0]?.candidates.map((c) => c.selector);
      expect(sels).toHaveLength(MAX_SELECTORS_PER_NAME);
      expect(sels).toContain('#newest');
      // All #goodN have score 1; the oldest success (#good0) ranked lowest and was dropped.
      expect(sels).toEqual(['#good3', '#good2', '#good1', '#newest']);
    });

    it(`keeps at most ${MAX_SELECTOR_NAMES} names, dropping the least recently touched`, async () => {
      for (let i = 0; i <= MAX_SELECTOR_NAMES; i++) await tick(() => sites.cacheSelector('a.example', `n${i}`, `#s${i}`));
      const names = (await sites.profile('a.example'))?.selectors.map((g) => g.name);
      expect(names).toHaveLength(MAX_SELECTOR_NAMES);
      expect(names?.[0]).toBe(`n${MAX_SELECTOR_NAMES}`);
      expect(await sites.selector('a.example', 'n0')).toBeUndefined();
      expect(await sites.selector('a.example', 'n1')).toBe('#s1');
    });
  });

  describe('sites: quirks', () => {
    it('deduplicates ignoring case and whitespace, counting repeats and moving them to the front', async () => {
      expect(await sites.quirks('a.example')).toEqual([]);
      expect(await tick(() => sites.recordQuirk('a.example', 'Cookie  banner\tmust be closed'))).toBe(true);
      expect(await tick(() => sites.recordQuirk('a.example', 'Search is slow'))).toBe(true);
      expect(await tick(() => sites.recordQuirk('https://a.example/x', '  COOKIE banner must   be closed '))).toBe(false);
      expect(await sites.quirks('a.example')).toEqual(['Cookie banner must be closed', 'Search is slow']);
      const q = (await sites.profile('a.example'))?.quirks[0];
      expect(q).toEqual({ text: 'Cookie banner must be closed', count: 2, firstSeenAt: clock.nowMs - 2, lastSeenAt: clock.nowMs });
    });

    it(`keeps at most ${MAX_QUIRKS}, dropping the least recently seen`, async () => {
      for (let i = 0; i < MAX_QUIRKS; i++) await tick(() => sites.recordQuirk('a.example', `quirk ${i}`));
      await tick(() => sites.recordQuirk('a.example', 'QUIRK 0')); // seen again: now the most recent
      await tick(() => sites.recordQuirk('a.example', 'brand new'));
      const qs = await sites.quirks('a.example');
      expect(qs).toHaveLength(MAX_QUIRKS);
      expect(qs.slice(0, 2)).toEqual(['brand new', 'quirk 0']);
      expect(qs).not.toContain('quirk 1');
    });
  });

  describe('sites: action patterns', () => {
    it('caches, matches intents ignoring case and whitespace, replaces, and copies the steps', async () => {
      const steps = [{ fill: '#user', with: 'name' }, { click: '#go' }];
      await sites.cacheActionPattern('a.example', 'Log  in', steps);
      steps.push({ click: '#evil' }); // the caller's array is not the stored one
      expect(await sites.actionPattern('a.example', ' log IN ')).toEqual([{ fill: '#user', with: 'name' }, { click: '#go' }]);
      expect(await sites.actionPattern('a.example', 'log out')).toBeUndefined();
      expect(await sites.actionPattern('b.example', 'log in')).toBeUndefined();
      await sites.cacheActionPattern('a.example', 'LOG IN', ['press enter']);
      expect(await sites.actionPattern('a.example', 'log in')).toEqual(['press enter']);
      expect((await sites.profile('a.example'))?.actions.map((a) => a.intent)).toEqual(['LOG IN']);
    });

    it(`keeps at most ${MAX_ACTIONS} intents, dropping the least recently cached`, async () => {
      for (let i = 0; i <= MAX_ACTIONS; i++) await tick(() => sites.cacheActionPattern('a.example', `intent ${i}`, [i]));
      expect((await sites.profile('a.example'))?.actions).toHaveLength(MAX_ACTIONS);
      expect(await sites.actionPattern('a.example', 'intent 0')).toBeUndefined();
      expect(await sites.actionPattern('a.example', `intent ${MAX_ACTIONS}`)).toEqual([MAX_ACTIONS]);
    });
  });

  describe('sites: snapshots, scopes, events, counters, size', () => {
    it('returns deeply frozen values; mutating them throws and never reaches the store', async () => {
      await sites.recordVisit('a.example', { ok: true, note: 'n' });
      await sites.cacheSelector('a.example', 'x', '#a');
      await sites.recordQuirk('a.example', 'q');
      await sites.cacheActionPattern('a.example', 'i', [{ click: '#a' }]);
      const p = await sites.profile('a.example');
      const written = await sites.recordVisit('a.example', { ok: true });
      const quirks = await sites.quirks('a.example');
      const steps = await sites.actionPattern('a.example', 'i');
      expect(() => assign(p, ['visits'], 99)).toThrow(TypeError);
      expect(() => assign(p, ['selectors', 0, 'candidates', 0, 'selector'], '#evil')).toThrow(TypeError);
      expect(() => (p?.quirks as unknown[]).push({ text: 'x' })).toThrow(TypeError);
      expect(() => assign(p, ['notes', 0, 'text'], 'x')).toThrow(TypeError);
      expect(() => assign(written, ['visits'], 0)).toThrow(TypeError);
      expect(() => (quirks as string[]).push('x')).toThrow(TypeError);
      expect(() => assign(steps, [0, 'click'], '#evil')).toThrow(TypeError);
      const again = await sites.profile('a.example');
      expect(again?.visits).toBe(2);
      expect(again?.selectors[0]?.candidates[0]?.selector).toBe('#a');
      expect(await sites.actionPattern('a.example', 'i')).toEqual([{ click: '#a' }]);
    });

    it('scopes are isolated from each other and from the root', async () => {
      const a = mx.scope('team/a').sites;
      const b = mx.scope('team/b').sites;
      await a.recordVisit('x.example', { ok: true });
      await a.cacheSelector('x.example', 'n', '#a');
      await b.recordQuirk('x.example', 'only in b');
      expect((await a.profile('x.example'))?.visits).toBe(1);
      expect((await b.profile('x.example'))?.visits).toBe(0);
      expect(await b.selector('x.example', 'n')).toBeUndefined();
      expect(await a.quirks('x.example')).toEqual([]);
      expect(await sites.profile('x.example')).toBeUndefined();
    });

    it('every mutation appends one event for the host; reads append none; counters count both', async () => {
      const from = await mx.events.lastSeq();
      await sites.recordVisit(URL_, { ok: true });
      await sites.cacheSelector(URL_, 'n', '#a');
      await sites.reportSelector(URL_, 'n', true);
      await sites.recordQuirk(URL_, 'q');
      await sites.cacheActionPattern(URL_, 'i', [1]);
      await sites.profile(URL_);
      await sites.selector(URL_, 'n');
      await sites.quirks(URL_);
      await sites.actionPattern(URL_, 'i');
      await sites.contextForPrompt(URL_);
      const events = await mx.events.since(from, { store: 'sites' });
      expect(events.map((e) => [e.store, e.key])).toEqual(Array(5).fill(['sites', 'shop.example']));
      const c = (await mx.stats()).stores.sites;
      expect(c).toMatchObject({ reads: 5, writes: 5, records: 1 });
    });

    it('a change that would make the record larger than maxValueBytes is a LimitError and writes nothing', async () => {
      const small = await env.openTestMemex({ maxValueBytes: 2048 });
      try {
        await small.sites.cacheActionPattern('a.example', 'one', ['x'.repeat(900)]);
        const seq = await small.events.lastSeq();
        await expect(small.sites.cacheActionPattern('a.example', 'two', ['y'.repeat(900)])).rejects.toBeInstanceOf(LimitError);
        expect(await small.events.lastSeq()).toBe(seq);
        expect((await small.sites.profile('a.example'))?.actions.map((a) => a.intent)).toEqual(['one']);
      } finally {
        await small.close();
      }
    });

    it('a record filled to every bound with 3-byte characters still fits the default maxValueBytes', async () => {
      const w = (n: number, tag: string) => tag + '€'.repeat(n - tag.length);
      for (let n = 0; n < MAX_SELECTOR_NAMES; n++) {
        for (let s = 0; s < MAX_SELECTORS_PER_NAME; s++) await sites.cacheSelector('big.example', w(100, `${n}`), w(500, `${s}`));
      }
      for (let q = 0; q < MAX_QUIRKS; q++) await sites.recordQuirk('big.example', w(300, `${q}`));
      const step = '€'.repeat(53); // 50 × (3 × 53 + 2) + 51 = 8101 bytes of JSON, just under 8 KiB
      for (let a = 0; a < MAX_ACTIONS; a++) await sites.cacheActionPattern('big.example', w(200, `${a}`), Array(50).fill(step));
      for (let v = 0; v < MAX_NOTES; v++) await sites.recordVisit('big.example', { ok: true, durationMs: 1, note: w(300, `${v}`) });
      const p = await sites.profile('big.example');
      const bytes = Buffer.byteLength(JSON.stringify(p));
      expect(bytes).toBeGreaterThan(500_000);
      expect(bytes).toBeLessThan(1024 * 1024);
      expect(p?.selectors.flatMap((g) => g.candidates)).toHaveLength(MAX_SELECTOR_NAMES * MAX_SELECTORS_PER_NAME);
    });
  });
}
