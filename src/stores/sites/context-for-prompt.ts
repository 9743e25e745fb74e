/**
 * Pure rendering of a site profile into a compact text for an LLM prompt.
 *
 * The output depends only on the profile and `maxChars` (no clock, locale or time zone: times
 * are ISO 8601 UTC), so the same profile always gives the same text. It is a list of
 * self-contained lines, in priority order:
 *
 *   Site example.com: 12 visits (10 ok, 2 failed), avg 840 ms, last 2024-05-01T12:00:00.000Z
 *   Quirk: Cookie banner must be dismissed first (seen 3x)
 *   Selector "login": #login-btn (5 ok, 0 failed); fallback: button.login (0 ok, 1 failed, failing)
 *   Action "log in": [{"click":"#login"},{"fill":"#user"}]
 *   Note 2024-05-01T12:00:00.000Z failed: captcha shown
 *
 * Lines are added while they fit in `maxChars` (counting the `\n` between them); the first line
 * that does not fit is cut and ends with `…` (unless fewer than 12 characters are left, then it
 * is left out), and nothing follows it. Cuts never split a surrogate pair. The length, in UTF-16
 * code units, is therefore always <= `maxChars`.
 */
import type { SelectorCandidate, SiteProfile } from './site-profile.js';

/** A cut line is only shown if at least this many characters of it fit. */
const MIN_PARTIAL_LINE = 12;
const ELLIPSIS = '…';

/**
 * The prompt text of `profile`, never longer than `maxChars` (an integer >= 1); `''` for a
 * site with no profile.
 * @example
 * ```ts
 * renderContext(profile, 500); // 'Site example.com: 3 visits (3 ok, 0 failed), …'
 * ```
 */
export function renderContext(profile: SiteProfile | undefined, maxChars: number): string {
  if (!profile) return '';
  const out: string[] = [];
  let used = 0;
  for (const line of contextLines(profile)) {
    const sep = out.length === 0 ? 0 : 1;
    const room = maxChars - used - sep;
    if (line.length <= room) {
      out.push(line);
      used += sep + line.length;
      continue;
    }
    // The first line is always shown, however little of it fits.
    if (room >= MIN_PARTIAL_LINE || (out.length === 0 && room >= 1)) out.push(cut(line, room));
    break;
  }
  return out.join('\n');
}

/** Every line of the summary, before the length bound, in priority order. */
export function contextLines(p: SiteProfile): string[] {
  const lines = [headline(p)];
  for (const q of p.quirks) lines.push(`Quirk: ${q.text}${q.count > 1 ? ` (seen ${q.count}x)` : ''}`);
  for (const g of p.selectors) {
    const [best, ...rest] = g.candidates;
    if (!best) continue;
    const alts = rest.map((c) => `; fallback: ${candidate(c)}`).join('');
    lines.push(`Selector ${JSON.stringify(g.name)}: ${candidate(best)}${alts}`);
  }
  for (const a of p.actions) lines.push(`Action ${JSON.stringify(a.intent)}: ${JSON.stringify(a.steps)}`);
  for (const n of p.notes) lines.push(`Note ${iso(n.at)} ${n.ok ? 'ok' : 'failed'}: ${n.text}`);
  return lines;
}

function headline(p: SiteProfile): string {
  if (p.visits === 0) return `Site ${p.host}: no visits recorded`;
  const parts = [`Site ${p.host}: ${p.visits} visit${p.visits === 1 ? '' : 's'} (${p.okVisits} ok, ${p.failedVisits} failed)`];
  if (p.avgDurationMs !== null) parts.push(`avg ${Math.round(p.avgDurationMs)} ms`);
  if (p.lastVisitAt !== null) parts.push(`last ${iso(p.lastVisitAt)}`);
  return parts.join(', ');
}

function candidate(c: Readonly<SelectorCandidate>): string {
  return `${c.selector} (${c.successes} ok, ${c.failures} failed${c.failStreak > 0 ? ', failing' : ''})`;
}

/** ISO 8601 UTC; a timestamp outside the Date range is printed as a number. */
function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** The first `room - 1` code units of `line` (never half a surrogate pair) and `…`. */
function cut(line: string, room: number): string {
  let end = room - ELLIPSIS.length;
  const last = line.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return line.slice(0, end) + ELLIPSIS;
}
