import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { StorageError } from '../../errors.js';
import { siblingWorker } from '../../util/script-path.js';
import type { Reply, Request, WireError } from './protocol.js';

/** Turns an error from the driver thread into what the engine throws (its code kept). */
export type ErrorMapper = (e: WireError) => Error;

const IDLE_THREAD_MS = 5000;

const defaultMapper: ErrorMapper = (e) => new StorageError(`postgres: ${e.message}`, e.code);

/**
 * The main thread's end of the driver thread (driver-thread.ts), shared by every PostgreSQL
 * engine of the process and started with the first. Two channels: `call` for ordinary async
 * requests, and `callSync` — post, then sleep on `Atomics.wait` until the driver thread has
 * answered — which is how a synchronous seam callback reads from the database. Only one
 * synchronous call can be in flight (the thread is asleep during it), so answers never interleave.
 */
export class Bridge {
  private static current: Bridge | undefined;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));
  private readonly syncPort: MessagePort;
  private readonly asyncPort: MessagePort;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: WireError) => void }>();
  private nextId = 1;
  private users = 0;
  private dead: WireError | undefined;
  private idleTimer: NodeJS.Timeout | undefined;

  private constructor() {
    const sync = new MessageChannel();
    const async = new MessageChannel();
    this.syncPort = sync.port1;
    this.asyncPort = async.port1;
    this.worker = siblingWorker(import.meta.url, 'driver-thread', {
      workerData: { syncPort: sync.port2, asyncPort: async.port2, flag: this.flag },
      transferList: [sync.port2, async.port2],
    });
    // The thread never keeps the process alive by itself; an outstanding async call does (below).
    this.worker.unref();
    this.asyncPort.on('message', (r: Reply) => this.settle(r));
    this.asyncPort.unref();
    const fail = (e: WireError) => {
      this.dead ??= e;
      if (Bridge.current === this) Bridge.current = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      this.asyncPort.unref();
    };
    this.worker.on('error', (e) => fail({ message: `the PostgreSQL driver thread failed: ${e.message}`, code: 'MEMEX_DRIVER' }));
    this.worker.on('exit', (code) => fail({ message: `the PostgreSQL driver thread exited (${code})`, code: 'MEMEX_DRIVER' }));
  }

  /** The process's bridge, started if needed; `release()` it when the engine closes. */
  static acquire(): Bridge {
    const b = (Bridge.current ??= new Bridge());
    b.users++;
    clearTimeout(b.idleTimer);
    return b;
  }

  /** The thread outlives its last engine briefly (unref'd): a store reopened soon needs no new thread. */
  release(): void {
    if (--this.users > 0) return;
    this.idleTimer = setTimeout(() => {
      if (this.users > 0) return;
      if (Bridge.current === this) Bridge.current = undefined;
      void this.worker.terminate();
    }, IDLE_THREAD_MS).unref();
  }

  call<T>(req: Request, map: ErrorMapper = defaultMapper): Promise<T> {
    if (this.dead) return Promise.reject(map(this.dead));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.asyncPort.ref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject: (e) => reject(map(e)) });
      this.asyncPort.postMessage({ id, req });
    });
  }

  /**
   * Runs `req` and blocks this thread until the answer, at most `timeoutMs` (then the answer,
   * if it ever comes, is dropped and a StorageError `ETIMEDOUT` thrown).
   */
  callSync<T>(req: Request, timeoutMs: number, map: ErrorMapper = defaultMapper): T {
    if (this.dead) throw map(this.dead);
    const id = this.nextId++;
    Atomics.store(this.flag, 0, 0);
    this.syncPort.postMessage({ id, req });
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const m = receiveMessageOnPort(this.syncPort);
      if (m) {
        const r = m.message as Reply;
        if (r.id !== id) continue; // the late answer of a call that timed out
        if (r.ok) return r.value as T;
        throw map(r.error);
      }
      const left = deadline - performance.now();
      if (left <= 0) throw map({ message: `no answer from the database within ${timeoutMs} ms`, code: 'ETIMEDOUT' });
      if (this.dead) throw map(this.dead);
      Atomics.wait(this.flag, 0, 0, left);
      Atomics.store(this.flag, 0, 0);
    }
  }

  /** Sends `req` in order with the synchronous calls, without waiting for its answer. */
  postSync(req: Request): void {
    if (!this.dead) this.syncPort.postMessage({ id: this.nextId++, req });
  }

  private settle(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (this.pending.size === 0) this.asyncPort.unref();
    if (r.ok) p.resolve(r.value);
    else p.reject(r.error);
  }
}
