import type { Engine } from '../../engine/types.js';
import { CACHE } from '../names.js';

const FLUSH_EVERY_MS = 1000;
const FLUSH_AT = 1000;

/**
 * Recency updates of cache hits, written in batches. A hit must stay a read (a write per hit
 * would serialize every reader behind the write lock), so the LRU order in the engine lags the
 * truth by at most ~1 s or 1,000 hits; eviction is therefore approximately LRU across processes.
 */
export class Touches {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly ns: string,
  ) {}

  touch(hash: string, rank: number): void {
    this.pending.set(hash, rank);
    if (this.pending.size >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS).unref();
  }

  /** Writes the pending touches now (entries deleted meanwhile are skipped). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.engine.write((tx) => {
        for (const [hash, rank] of batch) tx.setRank(this.ns, CACHE, hash, rank);
      });
    } catch {
      // Recency is advisory: a lost batch only makes eviction less exact, never wrong.
    }
  }
}
