import { LimitError } from '../../errors.js';
import { deepFreeze, type DeepReadonly } from '../../values/freeze.js';
import type { StoreContext } from '../context.js';
import { renderContext } from './context-for-prompt.js';
import { SITES } from '../names.js';
import { normalizeHost } from './normalize-host.js';
import { applyCacheSelector, applyReport, bestSelector } from './selector-rank.js';
import { applyAction, applyQuirk, applyVisit, findAction, newSite, type SiteProfile, type SiteRecord } from './site-profile.js';
import { checkIntent, checkName, checkOk, checkPromptOptions, checkQuirk, checkSelector, checkSteps, checkVisit } from './validate-input.js';
import type { SitesStore } from '../../api/sites.js';
import type { ListPage } from '../../api/list.js';
import { checkListOptions, decodeCursor, encodeCursor } from '../list-options.js';
import { storeModule } from '../module.js';

/** What a write callback decided: the record to store (none = no change) and the call's result. */
interface Change<R> {
  readonly site: SiteRecord | undefined;
  readonly result: R;
}

const EMPTY: readonly string[] = Object.freeze([]);

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
export class Sites implements SitesStore {
  constructor(protected readonly ctx: StoreContext) {}

  /**
   * A deeply frozen snapshot of everything known about the site of `url`, or `undefined`.
   * @example
   * ```ts
   * const p = await mx.sites.profile('https://www.example.com/page');
   * if (p) console.log(p.host, p.visits, p.avgDurationMs);
   * ```
   */
  async profile(url: string): Promise<SiteProfile | undefined> {
    return this.read(normalizeHost(url));
  }

  /**
   * Counts a visit: `ok` whether it achieved its goal, `durationMs` (0..86400000) feeds the
   * average, `note` (<= 300 characters) is kept among the 10 newest notes. Resolves the new profile.
   * @example
   * ```ts
   * await mx.sites.recordVisit('https://example.com/login', { ok: false, durationMs: 4200, note: 'captcha' });
   * ```
   */
  async recordVisit(url: string, visit: { ok: boolean; durationMs?: number; note?: string }): Promise<SiteProfile> {
    const host = normalizeHost(url);
    const v = checkVisit(visit);
    return this.write(host, (site, now) => {
      applyVisit(site, v, now);
      return site;
    });
  }

  /**
   * Caches `selector` as a candidate for `name` on the site. A known candidate keeps its
   * success/failure counts; candidates are ranked as described in selector-rank.ts and at most
   * 4 are kept per name, 50 names per site.
   * @example
   * ```ts
   * await mx.sites.cacheSelector('example.com', 'login.submit', 'button[type=submit]');
   * ```
   */
  async cacheSelector(url: string, name: string, selector: string): Promise<void> {
    const host = normalizeHost(url);
    const n = checkName(name);
    const sel = checkSelector(selector);
    await this.write(host, (site, now) => applyCacheSelector(site, n, sel, now));
  }

  /**
   * The best selector cached for `name` (working before failing, then by score), or `undefined`.
   * @example
   * ```ts
   * const sel = (await mx.sites.selector(url, 'search')) ?? 'input[type=search]';
   * ```
   */
  async selector(url: string, name: string): Promise<string | undefined> {
    const host = normalizeHost(url);
    const n = checkName(name);
    return bestSelector(await this.read(host), n);
  }

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
  async reportSelector(url: string, name: string, ok: boolean, selector?: string): Promise<string | undefined> {
    const host = normalizeHost(url);
    const n = checkName(name);
    const good = checkOk(ok);
    const sel = selector === undefined ? undefined : checkSelector(selector);
    return this.writeIf(host, (site, now) => {
      const draft = site ?? newSite(host, now);
      const changed = applyReport(draft, n, good, sel, now);
      return { site: changed ? draft : undefined, result: bestSelector(changed ? draft : site, n) };
    });
  }

  /**
   * Records a quirk of the site (<= 300 characters, whitespace collapsed). A quirk equal to a
   * known one ignoring case and whitespace is not added again: it counts once more. At most 30
   * are kept, the least recently seen dropped first. Resolves whether the quirk was new.
   * @example
   * ```ts
   * await mx.sites.recordQuirk(url, 'Cookie banner must be dismissed before clicking');
   * ```
   */
  async recordQuirk(url: string, text: string): Promise<boolean> {
    const host = normalizeHost(url);
    const t = checkQuirk(text);
    return this.write(host, (site, now) => applyQuirk(site, t, now));
  }

  /**
   * The quirks of the site, most recently seen first (`[]` if none).
   * @example
   * ```ts
   * for (const q of await mx.sites.quirks('example.com')) console.log(q);
   * ```
   */
  async quirks(url: string): Promise<readonly string[]> {
    const site = await this.read(normalizeHost(url));
    return site ? Object.freeze(site.quirks.map((q) => q.text)) : EMPTY;
  }

  /**
   * Caches the steps that achieve `intent` on the site (a non-empty JSON array, <= 50 steps,
   * <= 8 KiB), replacing what that intent had. Intents are matched ignoring case and whitespace;
   * at most 30 are kept, the least recently cached dropped first.
   * @example
   * ```ts
   * await mx.sites.cacheActionPattern(url, 'log in', [{ fill: '#user' }, { fill: '#pass' }, { click: '#go' }]);
   * ```
   */
  async cacheActionPattern(url: string, intent: string, steps: readonly unknown[]): Promise<void> {
    const host = normalizeHost(url);
    const i = checkIntent(intent);
    const st = checkSteps(steps, this.ctx.maxValueBytes);
    await this.write(host, (site, now) => applyAction(site, i, st, now));
  }

  /**
   * The steps cached for `intent` (deeply frozen), or `undefined`.
   * @example
   * ```ts
   * const steps = await mx.sites.actionPattern<{ click?: string; fill?: string }>(url, 'Log In');
   * ```
   */
  async actionPattern<T = unknown>(url: string, intent: string): Promise<readonly DeepReadonly<T>[] | undefined> {
    const host = normalizeHost(url);
    const i = checkIntent(intent);
    const site = await this.read(host);
    const at = site ? findAction(site, i) : -1;
    return at < 0 ? undefined : (site?.actions[at]?.steps as readonly DeepReadonly<T>[] | undefined);
  }

  /**
   * A compact, deterministic summary of the site for an LLM prompt, never longer than
   * `maxChars` (1..100000, default 1500); `''` for an unknown site. See context-for-prompt.ts.
   * @example
   * ```ts
   * const system = `You are browsing.\n${await mx.sites.contextForPrompt(url, { maxChars: 600 })}`;
   * ```
   */
  async contextForPrompt(url: string, options?: { maxChars?: number }): Promise<string> {
    const host = normalizeHost(url);
    const { maxChars } = checkPromptOptions(options);
    return renderContext(await this.read(host), maxChars);
  }

  /**
   * Every site known, in host order, a page at a time (`prefix` selects hosts by their start).
   * @example
   * ```ts
   * for (let page = await mx.sites.list({ limit: 50 }); ; page = await mx.sites.list({ limit: 50, cursor: page.cursor })) {
   *   for (const site of page.items) console.log(site.host, site.visits);
   *   if (!page.cursor) break;
   * }
   * ```
   */
  async list(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<ListPage<SiteProfile>> {
    const o = checkListOptions(options);
    const after = o.cursor === undefined ? undefined : decodeCursor(o.cursor);
    this.ctx.counters(SITES).reads++;
    const rows = await this.ctx.engine.read((tx) => tx.scan(this.ctx.ns, SITES, { prefix: o.prefix, after, limit: o.limit + 1 }));
    const items = rows.slice(0, o.limit).map((r) => this.ctx.frozen.committed<SiteRecord>(r.version, r.value));
    const last = rows.length > o.limit ? rows[o.limit - 1] : undefined;
    return last ? { items, cursor: encodeCursor(last.key) } : { items };
  }

  private async read(host: string): Promise<SiteProfile | undefined> {
    this.ctx.counters(SITES).reads++;
    const row = await this.ctx.engine.read((tx) => tx.get(this.ctx.ns, SITES, host));
    return row ? this.ctx.frozen.committed<SiteRecord>(row.version, row.value) : undefined;
  }

  /** A change that always writes: `fn` changes the record (a new one if the site is unknown). */
  private write<R>(host: string, fn: (site: SiteRecord, now: number) => R): Promise<R> {
    return this.writeIf(host, (current, now) => {
      const site = current ?? newSite(host, now);
      return { site, result: fn(site, now) };
    });
  }

  /**
   * One atomic read-modify-write of the site's record: `change` sees a fresh, mutable parse of the
   * current record (or `undefined`) and the transaction's clock, and returns the record to write
   * (or none). The callback touches nothing outside the transaction, so it may safely be retried.
   */
  private async writeIf<R>(host: string, change: (site: SiteRecord | undefined, now: number) => Change<R>): Promise<R> {
    const { ns, maxValueBytes } = this.ctx;
    const out = await this.ctx.engine.write((tx) => {
      const row = tx.get(ns, SITES, host);
      const c = change(row ? (JSON.parse(row.value) as SiteRecord) : undefined, tx.now);
      if (!c.site) return { ...c, version: 0, json: '' };
      const json = JSON.stringify(c.site);
      const bytes = Buffer.byteLength(json, 'utf8');
      if (bytes > maxValueBytes) {
        throw new LimitError(`the record of site "${host}" would be ${bytes} bytes, over maxValueBytes (${maxValueBytes}); nothing was written`);
      }
      return { ...c, version: tx.put(ns, SITES, host, json, { expiresAt: null }), json };
    });
    if (out.version > 0 && out.site) {
      this.ctx.counters(SITES).writes++;
      // Committed: later reads of this version reuse the frozen object instead of parsing again.
      this.ctx.frozen.remember(out.version, out.json, deepFreeze(out.site));
    } else {
      this.ctx.counters(SITES).reads++;
    }
    return out.result;
  }
}

/** The site memory's wiring. */
export const sitesModule = storeModule({ create: (ctx) => new Sites(ctx) });
