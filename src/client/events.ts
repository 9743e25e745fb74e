import type { EventsStore, MemexEvent, SinceOptions, WatchOptions } from '../api/events.js';
import { ValidationError } from '../errors.js';
import type { HttpTransport } from './http.js';

const freeze = (e: MemexEvent): MemexEvent => Object.freeze({ ...e });

/**
 * events over HTTP. `watch` reads the server's Server-Sent Events stream and, when the connection
 * drops, reconnects (backing off to 2 s) and resumes after the last event it delivered, so a
 * listener sees every event once and in order while the retention holds them.
 */
export class RemoteEvents implements EventsStore {
  private readonly stops = new Set<() => void>();

  constructor(
    private readonly http: HttpTransport,
    private readonly ns: string,
  ) {}

  async since(seq: number, options?: SinceOptions): Promise<MemexEvent[]> {
    return (await this.http.call<MemexEvent[]>('events.since', this.ns, { seq, options })).map(freeze);
  }

  lastSeq(): Promise<number> {
    return this.http.call('events.lastSeq', this.ns, {});
  }

  watch(listener: (e: MemexEvent) => void, options?: WatchOptions): () => void {
    if (typeof listener !== 'function') throw new ValidationError('listener', 'must be a function');
    const intervalMs = options?.intervalMs ?? 250;
    if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new ValidationError('options.intervalMs', 'must be a positive integer');
    const ac = new AbortController();
    // "From now" means after what this client has done so far: calls made after watch() returns
    // wait until the starting point is known, so their events are not missed.
    let cursor: number | undefined = options?.fromSeq;
    const start = cursor === undefined ? this.http.barrier(this.lastSeq().then((s) => void (cursor = s))) : Promise.resolve();
    const stop = () => {
      ac.abort();
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    void start
      .then(() =>
        this.stream(
          listener,
          intervalMs,
          () => cursor!,
          (s) => (cursor = s),
          ac.signal,
        ),
      )
      .catch(() => undefined);
    return stop;
  }

  /** Stops every watcher (the store is closing). */
  dispose(): void {
    for (const stop of [...this.stops]) stop();
  }

  private async stream(
    listener: (e: MemexEvent) => void,
    intervalMs: number,
    cursor: () => number,
    advance: (s: number) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let backoff = 50;
    while (!signal.aborted && !this.http.isClosed) {
      try {
        const q = new URLSearchParams({ ns: this.ns, fromSeq: String(cursor()), intervalMs: String(intervalMs) });
        const res = await this.http.send(
          `/v1/events/watch?${q.toString()}`,
          { method: 'GET', headers: this.http.authHeaders({ accept: 'text/event-stream' }) },
          0,
          signal,
        );
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        backoff = 50;
        await readEvents(res.body, signal, (e) => {
          if (e.seq <= cursor()) return;
          advance(e.seq);
          try {
            listener(freeze(e));
          } catch {
            // A listener's own failure is its business; the feed goes on.
          }
        });
      } catch {
        // Dropped or refused: reconnect after a pause.
      }
      if (signal.aborted) return;
      await new Promise((r) => setTimeout(r, backoff).unref());
      backoff = Math.min(2000, backoff * 2);
    }
  }
}

/** Parses an SSE body, calling `onEvent` for every `data:` of an event. */
async function readEvents(body: ReadableStream<Uint8Array>, signal: AbortSignal, onEvent: (e: MemexEvent) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buf = '';
  const reader = body.getReader();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (data && !block.includes('event: error')) onEvent(JSON.parse(data) as MemexEvent);
      }
    }
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
