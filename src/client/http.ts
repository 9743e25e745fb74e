import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { OP_BY_ID, opPath } from '../contract/index.js';
import { fromProblem } from '../contract/problem.js';
import { decodeWire, encodeWire } from '../contract/wire.js';
import { ClosedError, ConflictError, StorageError } from '../errors.js';
import { ClientCounters } from './counters.js';

export interface TransportOptions {
  /** `http://host:port` of a `memex serve`. */
  readonly url: string;
  /** Bearer token (from the server's `--tokens` file). */
  readonly token?: string;
  /** Longest a call may take (a lock wait is given its own timeout on top). @default 30000 */
  readonly timeoutMs: number;
  /** Attempts of a call that failed on the network, where that is safe. @default 3 */
  readonly attempts: number;
}

/** Network failures worth another attempt (the request may not have reached the server, or its answer was lost). */
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EAI_AGAIN']);

/**
 * The remote client's wire: one `POST` per operation with the arguments in the wire encoding,
 * a timeout on every call, and retries only where they are safe — reads, and writes that carry
 * an `Idempotency-Key` (the same key on every attempt, so the server applies the write once).
 * A problem+json answer is rebuilt as the `MemexError` subclass the server raised.
 */
export class HttpTransport {
  private closed = false;
  private readonly pending = new Set<Promise<unknown>>();
  readonly base: string;
  /** This client's own operation counts (its `stats()`). */
  readonly counters = new ClientCounters();

  /** Kept-alive connections to the server, for every operation (the event stream uses fetch). */
  private readonly agent: http.Agent;

  constructor(readonly o: TransportOptions) {
    this.base = o.url.replace(/\/+$/, '');
    this.agent = new (this.base.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 64 });
  }

  private gate: Promise<unknown> | undefined;

  /**
   * Calls made from now on wait until `p` settles (a watcher establishing its starting point);
   * returns `p`. Calls already in flight, and `p`'s own, are not held.
   */
  barrier<T>(p: Promise<T>): Promise<T> {
    const gate = p.catch(() => undefined);
    this.gate = gate;
    void gate.then(() => {
      if (this.gate === gate) this.gate = undefined;
    });
    return p;
  }

  /** The headers every request carries, plus `extra`. */
  authHeaders(extra: Record<string, string> = {}): Record<string, string> {
    return this.o.token ? { ...extra, authorization: `Bearer ${this.o.token}` } : extra;
  }

  /** Calls operation `id` in namespace `ns` (`null` for whole-store operations); resolves its `result`. */
  async call<T = unknown>(id: string, ns: string | null, args: Record<string, unknown>, extraMs = 0): Promise<T> {
    const op = OP_BY_ID.get(id);
    if (!op) throw new Error(`unknown operation ${id}`);
    if (this.gate && id !== 'events.lastSeq') await this.gate;
    const body = JSON.stringify(encodeWire(ns === null ? args : { ns, ...args }));
    const headers = this.authHeaders({ 'content-type': 'application/json' });
    if (op.retry === 'keyed') headers['idempotency-key'] = randomUUID();
    const attempts = op.retry === 'never' ? 1 : this.o.attempts;
    if (this.closed) throw new ClosedError();
    const store = id.slice(0, id.indexOf('.'));
    const counted = !op.internal && store !== 'memex' && store !== 'events';
    const p = (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await this.post(opPath(id), headers, body, this.o.timeoutMs + extraMs);
          const result = this.answer(res) as T;
          if (counted) this.counters.of(store)[op.access === 'read' ? 'reads' : 'writes']++;
          return result;
        } catch (e) {
          if (counted && e instanceof ConflictError) this.counters.of(store).conflicts++;
          if (attempt >= attempts || !(e instanceof StorageError) || !RETRYABLE.has(e.driverCode ?? '')) throw e;
          await new Promise((r) => setTimeout(r, 25 * 4 ** (attempt - 1)));
        }
      }
    })();
    const settled = p.catch(() => undefined);
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return p;
  }

  /**
   * One operation's request over node:http on kept-alive connections, its whole answer read under
   * `timeoutMs`; network errors become `StorageError`s with the system's code. (The global fetch
   * cost a process about 0.75k requests/s, against 8.5k a load generator got from the same server:
   * this is the transport every remote call goes through.)
   */
  private post(path: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ status: number; text: string }> {
    const url = new URL(`${this.base}${path}`);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const req = lib.request(
        url,
        { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', fail);
        },
      );
      function fail(e: Error & { code?: string }): void {
        clearTimeout(timer);
        reject(e instanceof StorageError ? e : new StorageError(`cannot reach ${url.origin}: ${e.message}`, e.code ?? 'ECONNRESET', { cause: e }));
      }
      req.on('error', fail);
      if (timeoutMs > 0) {
        timer = setTimeout(() => req.destroy(new StorageError(`no answer from ${url.origin} within ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
      }
      req.end(body);
    });
  }

  /** A streamed request (the event stream), through fetch; network errors become `StorageError`s. */
  async send(path: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal): Promise<Response> {
    if (this.closed) throw new ClosedError();
    const ac = new AbortController();
    const timer =
      timeoutMs > 0
        ? setTimeout(() => ac.abort(new StorageError(`no answer from ${this.base} within ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs)
        : undefined;
    const onAbort = () => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await fetch(`${this.base}${path}`, { ...init, signal: ac.signal });
    } catch (e) {
      if (this.closed) throw new ClosedError();
      if (ac.signal.aborted && ac.signal.reason instanceof Error) throw ac.signal.reason;
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new StorageError(`cannot reach ${this.base}: ${cause?.message ?? (e as Error).message}`, cause?.code ?? 'ECONNRESET', { cause: e });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Refuses later calls with `ClosedError` and waits for those in flight to finish (event
   * streams are stopped by their watchers).
   */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pending]);
    this.agent.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private answer({ status, text }: { status: number; text: string }): unknown {
    let body: unknown;
    try {
      body = text.length ? JSON.parse(text) : {};
    } catch {
      throw new StorageError(`the server answered ${status} with a body that is not JSON`, `HTTP_${status}`);
    }
    if (status < 200 || status > 299) throw fromProblem(body ?? {}, status);
    return decodeWire((body as { result?: unknown }).result);
  }
}
