import type { HealthCheck } from '../engine/types.js';

/** Behind by more than this, the clock is reported (small NTP steps are not news). */
const REPORT_BEHIND_MS = 1000;

/**
 * The store's "now": the source clock, never going backwards. A wall clock stepped back (NTP,
 * a VM restored, an operator) would otherwise bring expired records back to life and give new
 * writes timestamps older than their predecessors'. While the source is behind the latest reading
 * it is held there — TTLs then run from that reading, a little long rather than resurrected — and
 * `health()` says so. Per process: each process holds its own readings.
 */
export class MonotonicClock {
  private high = -Infinity;
  private jump: { by: number; at: number } | undefined;
  private behindBy = 0;

  constructor(private readonly source: () => number) {}

  readonly now = (): number => {
    const t = this.source();
    if (t >= this.high) {
      this.high = t;
      this.behindBy = 0;
      return t;
    }
    const by = this.high - t;
    if (by > REPORT_BEHIND_MS && (this.behindBy <= REPORT_BEHIND_MS || by > this.behindBy)) this.jump = { by, at: Date.now() };
    this.behindBy = by;
    return this.high;
  };

  /** The `clock` health check: not ok while the source is held more than a second behind. */
  check(): HealthCheck {
    this.now();
    if (this.behindBy > REPORT_BEHIND_MS) {
      return {
        name: 'clock',
        ok: false,
        detail: `the clock is ${Math.round(this.behindBy)} ms behind a time this store already used; times are held at that time until it catches up (TTLs run a little long)`,
        value: Math.round(this.behindBy),
      };
    }
    const seen = this.jump ? `; it went back by ${Math.round(this.jump.by)} ms at ${new Date(this.jump.at).toISOString()} and has caught up` : '';
    return { name: 'clock', ok: true, detail: `monotonic${seen}`, value: 0 };
  }
}
