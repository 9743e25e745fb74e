// The browsing views of one namespace: each renders into the view element and pages with the
// cursors the store's list operations return. Values are shown as text, never as HTML.
import { call } from './api.js';

type Child = Node | string;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const short = (v: unknown, n = 160): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n)}…` : s;
};
const when = (ms: number | null | undefined): string => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

function table(headers: string[], rows: Child[][], testid: string): HTMLTableElement {
  return el(
    'table',
    { 'data-testid': testid },
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
  );
}

interface Page<T> {
  items: T[];
  cursor?: string;
}

/**
 * A paged list: `load(cursor)` fetches one page; Next follows the page's cursor, Previous goes
 * back along the cursors already seen.
 */
function paged<T>(
  view: HTMLElement,
  title: string,
  load: (cursor: string | undefined) => Promise<Page<T>>,
  render: (items: T[]) => HTMLElement,
): void {
  const seen: (string | undefined)[] = [undefined];
  const show = async (at: number) => {
    const page = await load(seen[at]);
    seen[at + 1] = page.cursor;
    const prev = el('button', { type: 'button', 'data-testid': 'prev' }, 'Previous');
    const next = el('button', { type: 'button', 'data-testid': 'next' }, 'Next');
    prev.disabled = at === 0;
    next.disabled = page.cursor === undefined;
    prev.onclick = () => void show(at - 1).catch(report(view));
    next.onclick = () => void show(at + 1).catch(report(view));
    view.replaceChildren(
      el('h2', {}, title),
      page.items.length === 0 ? el('p', { 'data-testid': 'empty' }, 'Nothing here.') : render(page.items),
      el('p', { class: 'pager' }, prev, el('span', { 'data-testid': 'page' }, ` page ${at + 1} `), next),
    );
  };
  void show(0).catch(report(view));
}

export const report = (view: HTMLElement) => (e: unknown) =>
  view.replaceChildren(el('p', { class: 'error', 'data-testid': 'error' }, (e as Error).message));

const PAGE = 20;

interface Entry {
  key: string;
  value: unknown;
  version: number;
  updatedAt: number;
  expiresAt: number | null;
}

export function kvView(view: HTMLElement, ns: string): void {
  paged<Entry>(
    view,
    `Key-value records of ${ns}`,
    (cursor) => call<Page<Entry>>('kv.list', ns, { options: { limit: PAGE, ...(cursor ? { cursor } : {}) } }),
    (items) =>
      table(
        ['key', 'version', 'updated', 'expires', 'value'],
        items.map((e) => [e.key, String(e.version), when(e.updatedAt), when(e.expiresAt), short(e.value)]),
        'records',
      ),
  );
}

export function profilesView(view: HTMLElement, ns: string): void {
  paged<{ userId: string; profile: unknown; version: number }>(
    view,
    `Profiles of ${ns}`,
    (cursor) => call('profiles.list', ns, { options: { limit: PAGE, ...(cursor ? { cursor } : {}) } }),
    (items) =>
      table(
        ['user', 'version', 'profile'],
        items.map((p) => [p.userId, String(p.version), short(p.profile)]),
        'profiles',
      ),
  );
}

interface Site {
  host: string;
  visits: number;
  okVisits: number;
  lastVisitAt: number | null;
  selectors: { name: string; candidates: { selector: string }[] }[];
  quirks: { text: string }[];
}

export function sitesView(view: HTMLElement, ns: string): void {
  paged<Site>(
    view,
    `Sites of ${ns}`,
    (cursor) => call('sites.list', ns, { options: { limit: PAGE, ...(cursor ? { cursor } : {}) } }),
    (items) =>
      table(
        ['host', 'visits (ok)', 'last visit', 'selectors', 'quirks'],
        items.map((s) => [
          s.host,
          `${s.visits} (${s.okVisits})`,
          when(s.lastVisitAt),
          s.selectors.map((g) => `${g.name}: ${g.candidates[0]?.selector ?? ''}`).join('; '),
          s.quirks.map((q) => q.text).join('; '),
        ]),
        'sites',
      ),
  );
}

interface Thread {
  threadId: string;
  messageCount: number;
  lastActiveAt: number;
}

export function threadsView(view: HTMLElement, ns: string): void {
  void (async () => {
    const threads = await call<Thread[]>('conversations.list', ns, { options: { limit: 100 } });
    const messages = el('div', { 'data-testid': 'messages' });
    const rows = threads.map((t) => {
      const open = el('button', { type: 'button', class: 'link' }, t.threadId);
      open.onclick = () =>
        void call<{ seq: number; role: string; content: unknown }[]>('conversations.recent', ns, { threadId: t.threadId, limit: 50 })
          .then((ms) =>
            messages.replaceChildren(
              el('h3', {}, `Newest messages of ${t.threadId}`),
              table(
                ['seq', 'role', 'content'],
                ms.map((m) => [String(m.seq), m.role, short(m.content, 400)]),
                'thread-messages',
              ),
            ),
          )
          .catch(report(messages));
      return [open, String(t.messageCount), when(t.lastActiveAt)];
    });
    view.replaceChildren(
      el('h2', {}, `Threads of ${ns} (most recently active first)`),
      threads.length ? table(['thread', 'messages', 'last active'], rows, 'threads') : el('p', { 'data-testid': 'empty' }, 'Nothing here.'),
      messages,
    );
  })().catch(report(view));
}

export function searchView(view: HTMLElement, ns: string): void {
  const text = el('input', { type: 'search', name: 'text', placeholder: 'what to look for', 'data-testid': 'search-text', required: '' });
  const filter = el('input', {
    type: 'text',
    name: 'filter',
    placeholder: 'metadata filter (JSON), e.g. {"userId":"u42"}',
    'data-testid': 'search-filter',
  });
  const mode = el(
    'select',
    { name: 'mode' },
    el('option', { value: 'vector' }, 'semantic'),
    el('option', { value: 'hybrid' }, 'hybrid'),
    el('option', { value: 'text' }, 'full text'),
  );
  const results = el('div', { 'data-testid': 'results' });
  const form = el('form', { class: 'search' }, text, filter, mode, el('button', { type: 'submit' }, 'Search'));
  form.onsubmit = (ev) => {
    ev.preventDefault();
    let f: unknown;
    try {
      f = filter.value.trim() ? JSON.parse(filter.value) : undefined;
    } catch {
      return results.replaceChildren(el('p', { class: 'error', 'data-testid': 'error' }, 'filter: must be JSON'));
    }
    void call<{ id: string; score: number; text: string | null; metadata: unknown }[]>('vectors.search', ns, {
      query: { text: text.value, mode: mode.value, topK: 10, ...(f === undefined ? {} : { filter: f }) },
    })
      .then((hits) =>
        results.replaceChildren(
          hits.length
            ? table(
                ['id', 'score', 'text', 'metadata'],
                hits.map((h) => [h.id, h.score.toFixed(3), short(h.text ?? ''), short(h.metadata)]),
                'hits',
              )
            : el('p', { 'data-testid': 'empty' }, 'No match.'),
        ),
      )
      .catch(report(results));
  };
  view.replaceChildren(el('h2', {}, `Search the memories of ${ns}`), form, results);
}
