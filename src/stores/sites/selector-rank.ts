/**
 * Selector candidates: how they are ranked, cached and reported on.
 *
 * THE RANKING (best first), a total order so every process sorts the same way:
 * 1. working before failing: a candidate is failing while `failStreak > 0`, i.e. its most recent
 *    report was a failure; a success resets the streak. So one failure demotes a selector below
 *    every working one (including an untested one), however many successes it had.
 * 2. higher score first, `score = successes - 2 * failures` (a failure weighs twice a success);
 * 3. more recent `lastSuccessAt` first (never succeeded counts as oldest);
 * 4. more recent `cachedAt` first;
 * 5. the selector string, in code-unit order.
 */
import { MAX_SELECTOR_NAMES, MAX_SELECTORS_PER_NAME } from './limits.js';
import type { SelectorCandidate, SelectorGroup, SiteProfile, SiteRecord } from './site-profile.js';

/** Weight of one failure against one success in the score. */
export const FAILURE_WEIGHT = 2;

type Candidate = Readonly<SelectorCandidate>;

/** The score of rule 2. */
export function selectorScore(c: Candidate): number {
  return c.successes - FAILURE_WEIGHT * c.failures;
}

/** Negative when `a` ranks above `b` (sorts best first). */
export function compareCandidates(a: Candidate, b: Candidate): number {
  const failing = Number(a.failStreak > 0) - Number(b.failStreak > 0);
  if (failing !== 0) return failing;
  const score = selectorScore(b) - selectorScore(a);
  if (score !== 0) return score;
  const sa = a.lastSuccessAt ?? -Infinity;
  const sb = b.lastSuccessAt ?? -Infinity;
  if (sa !== sb) return sb > sa ? 1 : -1;
  if (a.cachedAt !== b.cachedAt) return b.cachedAt > a.cachedAt ? 1 : -1;
  return a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0;
}

/** The best selector cached for `name`, or `undefined`. */
export function bestSelector(site: SiteProfile | undefined, name: string): string | undefined {
  return site?.selectors.find((g) => g.name === name)?.candidates[0]?.selector;
}

/**
 * Caches `selector` as a candidate for `name`. A known candidate keeps its counts and only gets
 * a new `cachedAt`; a new one starts untested (working, score 0). Beyond MAX_SELECTORS_PER_NAME the
 * lowest-ranked *other* candidate is dropped (the one just cached always stays); beyond
 * MAX_SELECTOR_NAMES names, the least recently touched name is dropped.
 */
export function applyCacheSelector(site: SiteRecord, name: string, selector: string, now: number): void {
  const group = touchGroup(site, name, now);
  const known = group.candidates.find((c) => c.selector === selector);
  if (known) known.cachedAt = now;
  else group.candidates.push(fresh(selector, now));
  settle(group, selector);
  site.updatedAt = now;
}

/**
 * Counts one success or failure of `selector` (default: the current best for `name`) and
 * re-ranks. A success of a selector not cached yet caches it; a failure of an unknown selector
 * changes nothing. Returns whether the record changed.
 */
export function applyReport(site: SiteRecord, name: string, ok: boolean, selector: string | undefined, now: number): boolean {
  const existing = site.selectors.find((g) => g.name === name);
  const target = selector ?? existing?.candidates[0]?.selector;
  if (target === undefined) return false;
  let c = existing?.candidates.find((x) => x.selector === target);
  if (!c && !ok) return false;
  const group = touchGroup(site, name, now);
  if (!c) group.candidates.push((c = fresh(target, now)));
  if (ok) {
    c.successes++;
    c.failStreak = 0;
    c.lastSuccessAt = now;
  } else {
    c.failures++;
    c.failStreak++;
    c.lastFailureAt = now;
  }
  settle(group, target);
  site.updatedAt = now;
  return true;
}

function fresh(selector: string, now: number): SelectorCandidate {
  return { selector, successes: 0, failures: 0, failStreak: 0, lastSuccessAt: null, lastFailureAt: null, cachedAt: now };
}

/** The group of `name`, moved (or added) to the front; the least recently touched beyond the bound is dropped. */
function touchGroup(site: SiteRecord, name: string, now: number): SelectorGroup {
  const i = site.selectors.findIndex((g) => g.name === name);
  const group = i >= 0 ? site.selectors.splice(i, 1)[0]! : { name, candidates: [], updatedAt: now };
  group.updatedAt = now;
  site.selectors.unshift(group);
  site.selectors.length = Math.min(site.selectors.length, MAX_SELECTOR_NAMES);
  return group;
}

/** Sorts best first and drops the lowest-ranked candidates other than `keep` beyond the bound. */
function settle(group: SelectorGroup, keep: string): void {
  group.candidates.sort(compareCandidates);
  while (group.candidates.length > MAX_SELECTORS_PER_NAME) {
    let drop = group.candidates.length - 1;
    if (group.candidates[drop]?.selector === keep) drop--;
    group.candidates.splice(drop, 1);
  }
}
