import type { Memex, MemexCapabilities, MemexHealth, MemexScope, MemexStats, NamespaceInfo } from '../api/memex.js';
import { ClosedError } from '../errors.js';
import type { Recall, RecallInput, RememberInput } from '../stores/memory/remember.js';
import { validateNamespace } from '../values/namespace.js';
import type { Stores } from '../api/stores.js';
import { recordOf } from '../util/record-of.js';
import { HttpTransport, type TransportOptions } from './http.js';
import { frozen } from './kv.js';
import { REMOTE_STORES, REMOTE_STORE_NAMES, disposeOf } from './remote-stores.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- see the class
interface RemoteScope extends Stores {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the stores are REMOTE_STORES', assigned in the constructor: one list, not one field per store here
class RemoteScope implements MemexScope {
  constructor(
    protected readonly http: HttpTransport,
    readonly ns: string,
  ) {
    Object.assign(
      this,
      recordOf<Stores>(REMOTE_STORE_NAMES, (name) => REMOTE_STORES[name](http, ns)),
    );
  }

  remember(input: RememberInput): Promise<{ messageSeq: number; responseSeq: number }> {
    return this.http.call('memex.remember', this.ns, { input });
  }

  async recall(input: RecallInput): Promise<Recall> {
    return frozen(await this.http.call<Recall>('memex.recall', this.ns, { input }));
  }

  dispose(): void {
    for (const name of REMOTE_STORE_NAMES) disposeOf(this[name]);
  }
}

/**
 * The remote client: the public `Memex` interface over a `memex serve` (what
 * `openMemex({ url: 'http://…', token })` returns).
 */
export class RemoteMemex extends RemoteScope implements Memex {
  private readonly scopes = new Map<string, RemoteScope>();
  private closed = false;

  private constructor(
    http: HttpTransport,
    readonly capabilities: MemexCapabilities,
  ) {
    super(http, 'default');
  }

  /** Connects (one request: the server's capabilities) and returns the client. */
  static async connect(o: TransportOptions): Promise<RemoteMemex> {
    const http = new HttpTransport(o);
    const info = await http.call<{ capabilities: MemexCapabilities }>('memex.info', null, {});
    // Every client of one server shares its store, wherever the clients run.
    return new RemoteMemex(http, Object.freeze({ ...info.capabilities, multiProcess: true, multiHost: true }));
  }

  scope(ns: string): MemexScope {
    if (this.closed) throw new ClosedError();
    validateNamespace(ns);
    if (ns === 'default') return this;
    let s = this.scopes.get(ns);
    if (!s) this.scopes.set(ns, (s = new RemoteScope(this.http, ns)));
    return s;
  }

  async namespaces(): Promise<NamespaceInfo[]> {
    return frozen(await this.http.call<NamespaceInfo[]>('memex.namespaces', null, {}));
  }

  async stats(): Promise<MemexStats> {
    return frozen(this.http.counters.overlay(await this.http.call<MemexStats>('memex.stats', null, {})));
  }

  async health(): Promise<MemexHealth> {
    return frozen(await this.http.call<MemexHealth>('memex.health', null, {}));
  }

  async backup(path: string): Promise<void> {
    await this.http.call('memex.backup', null, { path });
  }

  sweep(): Promise<{ purged: number; threads: number }> {
    return this.http.call('memex.sweep', null, {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.dispose();
    for (const s of this.scopes.values()) s.dispose();
    // Calls already made finish (as queued writes do when an embedded store closes); new ones are refused.
    await this.http.close();
  }
}
