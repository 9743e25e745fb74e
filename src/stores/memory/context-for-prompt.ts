import { ValidationError } from '../../errors.js';
import type { Recall } from './remember.js';

/** Options of {@link contextForPrompt}. */
export interface PromptContextOptions {
  /** The most characters the text may have (50..100,000). @default 4000 */
  maxChars?: number;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Renders what `recall` returned as one text for a prompt, within `maxChars`: the memory blocks
 * first (what the agent keeps in every prompt), then the known facts (best first, with when they
 * became true), the profile, the recent turns (the newest kept when they do not all fit, shown
 * oldest first) and the relevant earlier turns. Whatever does not fit is left out whole, never cut
 * mid-line, except a block longer than the budget.
 *
 * @example
 * ```ts
 * const r = await mx.recall({ userId: 'u42', threadId: 't1', query: 'travel plans' });
 * const system = `You are a travel assistant.\n\n${contextForPrompt(r, { maxChars: 3000 })}`;
 * ```
 */
export function contextForPrompt(r: Recall, options: PromptContextOptions = {}): string {
  const max = options.maxChars ?? 4000;
  if (!Number.isInteger(max) || max < 50 || max > 100_000) throw new ValidationError('options.maxChars', 'must be an integer from 50 to 100000');
  const out: string[] = [];
  let used = 0;
  const fits = (line: string) => used + line.length + 1 <= max;
  const put = (line: string) => {
    out.push(line);
    used += line.length + 1;
  };
  /** Adds a section's heading and as many of its lines as fit, in the given order. */
  const section = (heading: string, lines: readonly string[]) => {
    const kept: string[] = [];
    let size = heading.length + 2;
    for (const l of lines) {
      if (used + size + l.length + 1 > max) break;
      kept.push(l);
      size += l.length + 1;
    }
    if (kept.length === 0) return;
    if (out.length > 0) put('');
    put(heading);
    for (const l of kept) put(l);
  };
  for (const b of r.blocks) {
    const body = typeof b.value === 'string' ? b.value : JSON.stringify(b.value);
    const heading = `<${b.label}>`;
    const room = max - used - heading.length * 2 - 4;
    if (room <= 0) break;
    if (out.length > 0 && fits('')) put('');
    put(heading);
    put(body.length > room ? `${body.slice(0, Math.max(0, room - 1))}…` : body);
    put(`</${b.label}>`);
  }
  section(
    '## Known facts',
    r.facts.map((f) => `- ${oneLine(f.text)}${f.validFrom !== null ? ` (since ${day(f.validFrom)})` : ''}`),
  );
  if (r.profile !== undefined) section('## Profile', [JSON.stringify(r.profile)]);
  const recent = [...r.recent].reverse().map((m) => `${m.role}: ${oneLine(typeof m.content === 'string' ? m.content : JSON.stringify(m.content))}`);
  const keptRecent: string[] = [];
  let room = max - used - '## Recent conversation'.length - 3;
  for (const l of recent) {
    if (l.length + 1 > room) break;
    keptRecent.unshift(l);
    room -= l.length + 1;
  }
  section('## Recent conversation', keptRecent);
  section(
    '## Relevant earlier turns',
    r.relevant.map((h) => `- ${oneLine(h.text ?? '')}`),
  );
  return out.join('\n');
}
