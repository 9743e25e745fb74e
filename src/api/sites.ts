import type { SiteProfile } from '../stores/sites/site-profile.js';
import type { ListPage } from './list.js';
import type { DeepReadonly } from '../values/freeze.js';

/**
 * What a browser agent learned about websites, one record per normalized host
 * (`https://www.Example.com/a?b` → `example.com`; see {@link normalizeHost}).
 *
 * Every mutation is one atomic read-modify-write of the site's record inside the engine's write
 * transaction, so agents in any number of processes never lose each other's updates. Every
 * collection is bounded (limits.ts); every value returned is deeply frozen. Bad input throws
 * `ValidationError` naming the field, with nothing written.
 *
 * @example
 * ```ts
 * await mx.sites.recordVisit('https://shop.example/cart', { ok: true, durationMs: 850 });
 * await mx.sites.cacheSelector('shop.example', 'search', 'input[name=q]');
 * const sel = await mx.sites.selector('https://shop.example/', 'search'); // 'input[name=q]'
 * const text = await mx.sites.contextForPrompt('shop.example', { maxChars: 800 });
 * ```
 */
export interface SitesStore {
  /**
   * A deeply frozen snapshot of everything known about the site of `url`, or `undefined`.
   * @example
   * ```ts
   * const p = await mx.sites.profile('https://www.example.com/page');
   * if (p) console.log(p.host, p.visits, p.avgDurationMs);
   * ```
   */
  profile(url: string): Promise<SiteProfile | undefined>;

  /**
   * Every site known, in host order, a page at a time (`limit` 1..1000, default 100; `prefix`
   * selects hosts by their start; pass the page's `cursor` back for the next one).
   * @example
   * ```ts
   * const { items, cursor } = await mx.sites.list({ limit: 50 });
   * ```
   */
  list(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<ListPage<SiteProfile>>;

  /**
   * Counts a visit: `ok` whether it achieved its goal, `durationMs` (0..86400000) feeds the
   * average, `note` (<= 300 characters) is kept among the 10 newest notes. Resolves the new profile.
   * @example
   * ```ts
   * await mx.sites.recordVisit('https://example.com/login', { ok: false, durationMs: 4200, note: 'captcha' });
   * ```
   */
  recordVisit(url: string, visit: { ok: boolean; durationMs?: number; note?: string }): Promise<SiteProfile>;

  /**
   * Caches `selector` as a candidate for `name` on the site. A known candidate keeps its
   * success/failure counts; candidates are ranked as described in selector-rank.ts and at most
   * 4 are kept per name, 50 names per site.
   * @example
   * ```ts
   * await mx.sites.cacheSelector('example.com', 'login.submit', 'button[type=submit]');
   * ```
   */
  cacheSelector(url: string, name: string, selector: string): Promise<void>;

  /**
   * The best selector cached for `name` (working before failing, then by score), or `undefined`.
   * @example
   * ```ts
   * const sel = (await mx.sites.selector(url, 'search')) ?? 'input[type=search]';
   * ```
   */
  selector(url: string, name: string): Promise<string | undefined>;

  /**
   * Reports whether `selector` (default: the current best for `name`) worked. A failure demotes
   * it below every working candidate; a success of a selector not cached yet caches it; a failure
   * of an unknown selector, or a report when nothing is cached, changes nothing. Resolves the best
   * selector for `name` afterwards (the one to try next).
   * @example
   * ```ts
   * const next = await mx.sites.reportSelector(url, 'search', false); // demote, get the fallback
   * ```
   */
  reportSelector(url: string, name: string, ok: boolean, selector?: string): Promise<string | undefined>;

  /**
   * Records a quirk of the site (<= 300 characters, whitespace collapsed). A quirk equal to a
   * known one ignoring case and whitespace is not added again: it counts once more. At most 30
   * are kept, the least recently seen dropped first. Resolves whether the quirk was new.
   * @example
   * ```ts
   * await mx.sites.recordQuirk(url, 'Cookie banner must be dismissed before clicking');
   * ```
   */
  recordQuirk(url: string, text: string): Promise<boolean>;

  /**
   * The quirks of the site, most recently seen first (`[]` if none).
   * @example
   * ```ts
   * for (const q of await mx.sites.quirks('example.com')) console.log(q);
   * ```
   */
  quirks(url: string): Promise<readonly string[]>;

  /**
   * Caches the steps that achieve `intent` on the site (a non-empty JSON array, <= 50 steps,
   * <= 8 KiB), replacing what that intent had. Intents are matched ignoring case and whitespace;
   * at most 30 are kept, the least recently cached dropped first.
   * @example
   * ```ts
   * await mx.sites.cacheActionPattern(url, 'log in', [{ fill: '#user' }, { fill: '#pass' }, { click: '#go' }]);
   * ```
   */
  cacheActionPattern(url: string, intent: string, steps: readonly unknown[]): Promise<void>;

  /**
   * The steps cached for `intent` (deeply frozen), or `undefined`.
   * @example
   * ```ts
   * const steps = await mx.sites.actionPattern<{ click?: string; fill?: string }>(url, 'Log In');
   * ```
   */
  actionPattern<T = unknown>(url: string, intent: string): Promise<readonly DeepReadonly<T>[] | undefined>;

  /**
   * A compact, deterministic summary of the site for an LLM prompt, never longer than
   * `maxChars` (1..100000, default 1500); `''` for an unknown site. See context-for-prompt.ts.
   * @example
   * ```ts
   * const system = `You are browsing.\n${await mx.sites.contextForPrompt(url, { maxChars: 600 })}`;
   * ```
   */
  contextForPrompt(url: string, options?: { maxChars?: number }): Promise<string>;
}
