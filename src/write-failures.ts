import type { Engine, HealthCheck } from './engine/types.js';
import { StorageError } from './errors.js';

/**
 * What `health()` and `stats()` report about failing writes: a write that fails with a
 * `StorageError` (disk full, read-only file, I/O error, database down) is counted by its driver
 * code, and from then until a write succeeds the store is "failing writes" — `health().ok` is
 * false, so monitoring sees the outage that reads alone would hide.
 */
export class WriteFailures {
  private readonly byCode = new Map<string, number>();
  private failingSince: number | undefined;
  private last: { code: string; at: number; message: string } | undefined;

  /** `engine` with its `write` observed. */
  watch(engine: Engine): Engine {
    const write = async <T>(fn: Parameters<Engine['write']>[0]): Promise<T> => {
      try {
        const out = (await engine.write(fn)) as T;
        this.failingSince = undefined;
        return out;
      } catch (e) {
        if (e instanceof StorageError) this.failed(e);
        throw e;
      }
    };
    return new Proxy(engine, {
      get: (target, p, receiver) => {
        if (p === 'write') return write;
        const v: unknown = Reflect.get(target, p, receiver);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }

  /** Storage errors of writes so far, by driver code. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.byCode);
  }

  /** The `writes` health check. */
  check(): HealthCheck {
    const total = [...this.byCode.values()].reduce((a, b) => a + b, 0);
    if (this.failingSince !== undefined && this.last) {
      return {
        name: 'writes',
        ok: false,
        detail: `writes failing since ${new Date(this.failingSince).toISOString()}: last ${this.last.code} at ${new Date(this.last.at).toISOString()} (${this.last.message}); ${total} storage errors so far`,
        value: total,
      };
    }
    const codes = [...this.byCode].map(([c, n]) => `${c} x${n}`).join(', ');
    return {
      name: 'writes',
      ok: true,
      detail: total === 0 ? 'no write has failed' : `writing again; earlier storage errors: ${codes}`,
      value: total,
    };
  }

  private failed(e: StorageError): void {
    const code = e.driverCode ?? 'unknown';
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    const now = Date.now();
    this.failingSince ??= now;
    this.last = { code, at: now, message: e.message.slice(0, 200) };
  }
}
