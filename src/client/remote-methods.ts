import type { MethodOp } from '../contract/method-op.js';
import type { HttpTransport } from './http.js';
import { frozen } from './kv.js';

/**
 * A remote store built from its operations' declarations: each method sends its arguments by the
 * names its operation declares and resolves the answer deeply frozen, as the embedded store does.
 * The server validates every argument, so a remote caller gets exactly the embedded errors.
 * (The stores whose methods are protocols — update loops, transactions, leases — are written by hand.)
 */
export function remoteMethods<T>(http: HttpTransport, ns: string, ops: readonly MethodOp[]): T {
  const store: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const o of ops) {
    store[o.method] = async (...args: unknown[]) => {
      const wire = await http.call(o.id, ns, Object.fromEntries(o.params.map((p, i) => [p, args[i]])));
      return o.revive ? o.revive(wire) : frozen(wire);
    };
  }
  return Object.freeze(store) as T;
}
