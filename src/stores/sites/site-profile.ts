/**
 * The record stored per site and the functions that apply each change to it, with its bounds.
 *
 * Every `apply*` function takes a draft — a fresh `JSON.parse` of the stored record, owned by
 * the write transaction — changes it in place and returns what the caller needs. They do no I/O
 * and read no clock (`now` is the transaction's), so the same record and inputs always give the
 * same result: a write callback may safely run them again.
 */
import type { DeepReadonly } from '../../values/freeze.js';
import { MAX_ACTIONS, MAX_NOTES, MAX_QUIRKS } from './limits.js';

/** One candidate selector for a name, with what agents reported about it. */
export interface SelectorCandidate {
  selector: string;
  successes: number;
  failures: number;
  /** Failures reported since its last success: above 0 means "failing" (see selector-rank.ts). */
  failStreak: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  /** When it was last passed to `cacheSelector` (or first reported working). */
  cachedAt: number;
}

/** The candidates for one selector name, best first. */
export interface SelectorGroup {
  name: string;
  candidates: SelectorCandidate[];
  updatedAt: number;
}

/** A quirk of a site, deduplicated case- and whitespace-insensitively. */
export interface SiteQuirk {
  /** As first recorded, trimmed, whitespace collapsed to single spaces. */
  text: string;
  /** How many times it was recorded. */
  count: number;
  firstSeenAt: number;
  lastSeenAt: number;
}

/** A cached sequence of steps that achieves an intent on a site. */
export interface SiteAction {
  /** As last cached, trimmed, whitespace collapsed; matched case-insensitively. */
  intent: string;
  steps: unknown[];
  updatedAt: number;
}

/** The note of one visit. */
export interface VisitNote {
  at: number;
  ok: boolean;
  text: string;
}

/** The stored record of a site (mutable: only the write path sees it as such). */
export interface SiteRecord {
  /** The normalized host (the record's key). */
  host: string;
  visits: number;
  okVisits: number;
  failedVisits: number;
  /** Visits that reported a `durationMs`, their total, and its mean (`null` before the first). */
  timedVisits: number;
  totalDurationMs: number;
  avgDurationMs: number | null;
  firstVisitAt: number | null;
  lastVisitAt: number | null;
  lastOkAt: number | null;
  /** Most recently touched name first; at most MAX_SELECTOR_NAMES. */
  selectors: SelectorGroup[];
  /** Most recently seen first; at most MAX_QUIRKS. */
  quirks: SiteQuirk[];
  /** Most recently cached first; at most MAX_ACTIONS. */
  actions: SiteAction[];
  /** Newest first; at most MAX_NOTES. */
  notes: VisitNote[];
  createdAt: number;
  updatedAt: number;
}

/**
 * What `sites.profile(url)` returns: a deeply frozen snapshot of a site's record.
 * Every collection in it is bounded (see limits.ts).
 */
export type SiteProfile = DeepReadonly<SiteRecord>;

/** Input of `recordVisit`, already validated. */
export interface VisitInput {
  readonly ok: boolean;
  readonly durationMs: number | undefined;
  readonly note: string | undefined;
}

/** A new, empty record for `host`. */
export function newSite(host: string, now: number): SiteRecord {
  return {
    host,
    visits: 0,
    okVisits: 0,
    failedVisits: 0,
    timedVisits: 0,
    totalDurationMs: 0,
    avgDurationMs: null,
    firstVisitAt: null,
    lastVisitAt: null,
    lastOkAt: null,
    selectors: [],
    quirks: [],
    actions: [],
    notes: [],
    createdAt: now,
    updatedAt: now,
  };
}

/** Trims and collapses every run of whitespace to one space (how quirks, notes, intents are kept). */
export function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** The comparison key of quirks and intents: collapsed whitespace, lower case. */
export function foldKey(text: string): string {
  return collapseSpace(text).toLowerCase();
}

/** Counts one visit; its duration feeds the mean, its note the bounded list of notes. */
export function applyVisit(site: SiteRecord, visit: VisitInput, now: number): void {
  site.visits++;
  if (visit.ok) {
    site.okVisits++;
    site.lastOkAt = now;
  } else {
    site.failedVisits++;
  }
  if (visit.durationMs !== undefined) {
    site.timedVisits++;
    site.totalDurationMs += visit.durationMs;
    site.avgDurationMs = site.totalDurationMs / site.timedVisits;
  }
  site.firstVisitAt ??= now;
  site.lastVisitAt = now;
  if (visit.note !== undefined) {
    site.notes.unshift({ at: now, ok: visit.ok, text: visit.note });
    site.notes.length = Math.min(site.notes.length, MAX_NOTES);
  }
  site.updatedAt = now;
}

/**
 * Records a quirk (`text` already collapsed). A quirk equal to a known one ignoring case and
 * whitespace only counts again and moves to the front; a new one goes to the front and, beyond
 * MAX_QUIRKS, the least recently seen is dropped. Returns whether the quirk was new.
 */
export function applyQuirk(site: SiteRecord, text: string, now: number): boolean {
  const key = foldKey(text);
  const i = site.quirks.findIndex((q) => foldKey(q.text) === key);
  site.updatedAt = now;
  if (i >= 0) {
    const [q] = site.quirks.splice(i, 1);
    if (q) site.quirks.unshift({ ...q, count: q.count + 1, lastSeenAt: now });
    return false;
  }
  site.quirks.unshift({ text, count: 1, firstSeenAt: now, lastSeenAt: now });
  site.quirks.length = Math.min(site.quirks.length, MAX_QUIRKS);
  return true;
}

/**
 * Caches `steps` for `intent` (already collapsed), replacing what that intent had; it moves to
 * the front and, beyond MAX_ACTIONS, the least recently cached intent is dropped.
 */
export function applyAction(site: SiteRecord, intent: string, steps: unknown[], now: number): void {
  const i = findAction(site, intent);
  if (i >= 0) site.actions.splice(i, 1);
  site.actions.unshift({ intent, steps, updatedAt: now });
  site.actions.length = Math.min(site.actions.length, MAX_ACTIONS);
  site.updatedAt = now;
}

/** Index of the action cached for `intent` (compared by {@link foldKey}), or -1. */
export function findAction(site: SiteRecord | SiteProfile, intent: string): number {
  const key = foldKey(intent);
  return site.actions.findIndex((a) => foldKey(a.intent) === key);
}
