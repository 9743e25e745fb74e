import { z } from 'zod';
import { json } from './op.js';
import { methodOps } from './method-op.js';
import type { SitesStore } from '../api/sites.js';
import { MAX_PAGE_LIMIT } from '../values/limits.js';
import { MAX_PROMPT_CHARS } from '../stores/sites/limits.js';

const url = z.string().describe('A URL or host; records are keyed by the normalized host (https://www.Example.com/a -> example.com).');
const name = z.string().describe('What the selector finds, e.g. "search box".');
const at = z.number().int().describe('Unix ms.');
const siteProfile = z
  .object({
    host: z.string().describe('The normalized host (the record’s key).'),
    visits: z.number().int(),
    okVisits: z.number().int(),
    failedVisits: z.number().int(),
    timedVisits: z.number().int().describe('Visits that reported a durationMs.'),
    totalDurationMs: z.number(),
    avgDurationMs: z.number().nullable(),
    firstVisitAt: at.nullable(),
    lastVisitAt: at.nullable(),
    lastOkAt: at.nullable(),
    selectors: z
      .array(
        z.object({
          name: z.string(),
          candidates: z.array(
            z.object({
              selector: z.string(),
              successes: z.number().int(),
              failures: z.number().int(),
              failStreak: z.number().int(),
              lastSuccessAt: at.nullable(),
              lastFailureAt: at.nullable(),
              cachedAt: at,
            }),
          ),
          updatedAt: at,
        }),
      )
      .describe('Most recently touched name first; each name’s candidates best first.'),
    quirks: z.array(z.object({ text: z.string(), count: z.number().int(), firstSeenAt: at, lastSeenAt: at })),
    actions: z.array(z.object({ intent: z.string(), steps: z.array(json), updatedAt: at })),
    notes: z.array(z.object({ at, ok: z.boolean(), text: z.string() })).describe('Newest first.'),
    createdAt: at,
    updatedAt: at,
  })
  .describe('Everything learned about one host: visits, selectors, quirks, action patterns.');
const exampleProfile = {
  host: 'example.com',
  visits: 3,
  okVisits: 3,
  failedVisits: 0,
  timedVisits: 1,
  totalDurationMs: 840,
  avgDurationMs: 840,
  firstVisitAt: 1764650000000,
  lastVisitAt: 1764650100000,
  lastOkAt: 1764650100000,
  selectors: [
    {
      name: 'search box',
      candidates: [
        {
          selector: 'input[name=q]',
          successes: 2,
          failures: 0,
          failStreak: 0,
          lastSuccessAt: 1764650100000,
          lastFailureAt: null,
          cachedAt: 1764650000000,
        },
      ],
      updatedAt: 1764650100000,
    },
  ],
  quirks: [{ text: 'cookie banner covers the search button', count: 1, firstSeenAt: 1764650000000, lastSeenAt: 1764650000000 }],
  actions: [],
  notes: [],
  createdAt: 1764650000000,
  updatedAt: 1764650100000,
};

export const sitesOps = methodOps<SitesStore>()('sites', {
  profile: {
    summary: 'What was learned about a site (no `result` when nothing).',
    access: 'read',
    args: z.object({ url }),
    result: siteProfile,
    example: { args: { url: 'https://www.example.com/a' }, result: exampleProfile },
  },
  list: {
    summary: 'Every site known, in host order, a page at a time.',
    access: 'read',
    args: z.object({
      options: z
        .object({ prefix: z.string().optional(), limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(), cursor: z.string().optional() })
        .optional(),
    }),
    result: z.object({ items: z.array(siteProfile), cursor: z.string().optional() }),
    example: { args: { options: { limit: 50 } }, result: { items: [exampleProfile] } },
  },
  recordVisit: {
    summary: 'Counts a visit (ok or not, with an optional note).',
    access: 'write',
    retry: 'keyed',
    args: z.object({ url, visit: z.object({ ok: z.boolean(), durationMs: z.number().optional(), note: z.string().optional() }) }),
    result: siteProfile,
    example: { args: { url: 'example.com', visit: { ok: true, durationMs: 840 } }, result: exampleProfile },
  },
  cacheSelector: {
    summary: 'Remembers a selector that worked for `name`.',
    access: 'write',
    args: z.object({ url, name, selector: z.string() }),
    result: z.null().optional(),
    example: { args: { url: 'example.com', name: 'search box', selector: 'input[name=q]' } },
  },
  selector: {
    summary: 'The best working selector for `name` (no `result` when none).',
    access: 'read',
    args: z.object({ url, name }),
    result: z.string(),
    example: { args: { url: 'example.com', name: 'search box' }, result: 'input[name=q]' },
  },
  reportSelector: {
    summary: 'Reports whether a selector worked; failing ones are demoted. The best selector afterwards.',
    access: 'write',
    retry: 'never',
    args: z.object({ url, name, ok: z.boolean(), selector: z.string().optional() }),
    result: z.string(),
    example: { args: { url: 'example.com', name: 'search box', ok: false }, result: '#q' },
  },
  recordQuirk: {
    summary: 'Remembers a quirk of the site; `true` if it was new.',
    access: 'write',
    args: z.object({ url, text: z.string() }),
    result: z.boolean(),
    example: { args: { url: 'example.com', text: 'cookie banner covers the login button' }, result: true },
  },
  quirks: {
    summary: 'The quirks of a site, most often seen first.',
    access: 'read',
    args: z.object({ url }),
    result: z.array(z.string()),
    example: { args: { url: 'example.com' }, result: ['cookie banner covers the login button'] },
  },
  cacheActionPattern: {
    summary: 'Remembers the steps that achieved `intent` on the site.',
    access: 'write',
    args: z.object({ url, intent: z.string(), steps: z.array(json) }),
    result: z.null().optional(),
    example: { args: { url: 'example.com', intent: 'login', steps: [{ click: '#login' }] } },
  },
  actionPattern: {
    summary: 'The steps remembered for `intent` (no `result` when none).',
    access: 'read',
    args: z.object({ url, intent: z.string() }),
    result: z.array(json),
    example: { args: { url: 'example.com', intent: 'login' }, result: [{ click: '#login' }] },
  },
  contextForPrompt: {
    summary: 'A compact text summary of the site for an LLM prompt.',
    access: 'read',
    args: z.object({ url, options: z.object({ maxChars: z.number().int().min(1).max(MAX_PROMPT_CHARS).optional() }).optional() }),
    result: z.string(),
    example: { args: { url: 'example.com', options: { maxChars: 800 } }, result: 'example.com: 3 visits, all ok.' },
  },
});
