import { ValidationError } from '../errors.js';
import type { EventRow } from '../engine/types.js';
import type { StoreContext } from './context.js';
import type { EventsStore, MemexEvent, SinceOptions, WatchOptions } from '../api/events.js';
import { storeModule } from './module.js';
import { MAX_EVENTS_PAGE } from '../values/limits.js';

const freezeEvent = (e: EventRow): MemexEvent => Object.freeze({ ...e });

/**
 * The change feed and audit trail of one namespace. Retention keeps the newest `maxEvents`.
 *
 * @example
 * ```ts
 * const batch = await mx.events.since(0, { store: 'kv', limit: 100 });
 * const stop = mx.events.watch((e) => console.log(e.op, e.key));
 * ```
 */
export class Events implements EventsStore {
  private readonly watchers = new Set<() => void>();

  constructor(private readonly ctx: StoreContext) {}

  /** Events with `seq` greater than `seq`, oldest first. */
  async since(seq: number, options?: SinceOptions): Promise<MemexEvent[]> {
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new ValidationError('seq', 'must be a non-negative integer');
    const o = options ?? {};
    if (typeof o !== 'object' || o === null) throw new ValidationError('options', 'must be an object');
    const limit = o.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE)
      throw new ValidationError('options.limit', `must be an integer from 1 to ${MAX_EVENTS_PAGE}`);
    if (o.store !== undefined && typeof o.store !== 'string') throw new ValidationError('options.store', 'must be a string');
    const rows = await this.ctx.engine.read((tx) => tx.eventsSince(seq, { limit, store: o.store, ns: this.ctx.ns }));
    return rows.map(freezeEvent);
  }

  /** The newest seq in the whole file (all namespaces); a starting point for `since`. */
  async lastSeq(): Promise<number> {
    return this.ctx.engine.read((tx) => tx.lastSeq());
  }

  /**
   * Calls `listener` for every new event of this namespace, from any process. Returns `stop`.
   * A listener that throws does not stop the feed.
   */
  watch(listener: (e: MemexEvent) => void, options?: WatchOptions): () => void {
    if (typeof listener !== 'function') throw new ValidationError('listener', 'must be a function');
    const intervalMs = options?.intervalMs ?? 250;
    if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new ValidationError('options.intervalMs', 'must be a positive integer');
    let cursor: number | undefined = options?.fromSeq;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      try {
        cursor ??= await this.lastSeq();
        for (;;) {
          const batch = await this.since(cursor, { limit: 1000 });
          for (const e of batch) {
            if (stopped) return;
            cursor = e.seq;
            try {
              listener(e);
            } catch {
              // A listener's own failure is its business; the feed goes on.
            }
          }
          if (batch.length < 1000) break;
        }
      } catch {
        // Closed or transient failure: the next tick retries, stop() ends it.
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs).unref();
    };
    void tick();
    const stop = () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      this.watchers.delete(stop);
    };
    this.watchers.add(stop);
    return stop;
  }

  /** Stops every watcher (called by close). */
  stopAll(): void {
    for (const stop of [...this.watchers]) stop();
  }
}

/** The change feed's wiring: watchers stop at close. */
export const eventsModule = storeModule({ create: (ctx) => new Events(ctx), close: (events: Events) => events.stopAll() });
