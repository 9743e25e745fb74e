// The inspector page: the token form, the namespaces, the views of the chosen namespace, and the
// live statistics drawn from GET /v1/stats/watch.
import { call, stream, token } from './api.js';
import { Sparkline } from './chart.js';
import { el, kvView, profilesView, report, searchView, sitesView, threadsView } from './views.js';

const $ = <T extends Element>(sel: string): T => document.querySelector<T>(sel)!;

const VIEWS = { kv: kvView, threads: threadsView, profiles: profilesView, sites: sitesView, search: searchView } as const;
type ViewName = keyof typeof VIEWS;

let ns = 'default';
let viewName: ViewName = 'kv';
let live: AbortController | undefined;

function status(text: string, error = false): void {
  const s = $<HTMLElement>('#status');
  s.textContent = text;
  s.className = error ? 'error' : '';
}

function showView(): void {
  for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) b.setAttribute('aria-selected', String(b.dataset.view === viewName));
  VIEWS[viewName]($<HTMLElement>('#view'), ns);
}

async function loadNamespaces(): Promise<void> {
  const list = $<HTMLUListElement>('#ns-list');
  try {
    const namespaces = await call<{ ns: string; records: Record<string, number> }[]>('memex.namespaces', null);
    list.replaceChildren(
      ...namespaces.map((n) => {
        const total = Object.values(n.records).reduce((a, b) => a + b, 0);
        const b = el(
          'button',
          {
            type: 'button',
            class: 'link',
            'data-ns': n.ns,
            title: Object.entries(n.records)
              .map(([s, c]) => `${s}: ${c}`)
              .join('\n'),
          },
          n.ns,
        );
        b.onclick = () => {
          ns = n.ns;
          for (const x of list.querySelectorAll('button')) x.classList.toggle('current', x === b);
          showView();
        };
        return el('li', {}, b, el('span', { class: 'count' }, ` ${total}`));
      }),
    );
    if (namespaces.length > 0 && !namespaces.some((n) => n.ns === ns)) ns = namespaces[0]!.ns;
    list.querySelector(`button[data-ns="${CSS.escape(ns)}"]`)?.classList.add('current');
    status(`${namespaces.length} namespaces`);
    showView();
  } catch (e) {
    list.replaceChildren();
    $<HTMLElement>('#view').replaceChildren();
    status((e as Error).message, true);
  }
}

function watchStats(): void {
  live?.abort();
  live = new AbortController();
  const chart = new Sparkline($<SVGSVGElement>('#chart'));
  const set = (id: string, v: string) => ($<HTMLElement>(`#stat-${id}`).textContent = v);
  stream(
    '/v1/stats/watch?intervalMs=1000',
    (d) => {
      const s = d as {
        writesPerSec: number;
        opsPerSec: number;
        lockWaits: number;
        lockWaitMsMax: number;
        cacheHitRate: number | null;
        lastSeq: number;
      };
      set('writes', s.writesPerSec.toFixed(1));
      set('ops', s.opsPerSec.toFixed(1));
      set('waits', `${s.lockWaits} (max ${s.lockWaitMsMax.toFixed(1)} ms)`);
      set('hits', s.cacheHitRate === null ? '–' : `${(s.cacheHitRate * 100).toFixed(1)}%`);
      set('seq', String(s.lastSeq));
      chart.push(s.writesPerSec);
    },
    live.signal,
  ).catch((e: Error) => {
    if (e.name !== 'AbortError') $<HTMLElement>('#live-error').textContent = e.message;
  });
}

function start(): void {
  $<HTMLElement>('#live-error').textContent = '';
  void loadNamespaces();
  watchStats();
}

$<HTMLFormElement>('#login').onsubmit = (ev) => {
  ev.preventDefault();
  token.set($<HTMLInputElement>('#token').value.trim());
  start();
};
for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) {
  b.onclick = () => {
    viewName = b.dataset.view as ViewName;
    showView();
  };
}
window.addEventListener('unhandledrejection', (e) => report($<HTMLElement>('#view'))(e.reason));
start();
