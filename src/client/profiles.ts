import type { ProfilesStore } from '../api/profiles.js';
import { profilesOps } from '../contract/profiles.js';
import { ConflictError, ValidationError } from '../errors.js';
import { checkedUpdate } from '../stores/profiles.js';
import { parseFrozen, type DeepReadonly } from '../values/freeze.js';
import { validateKey } from '../values/keys.js';
import { isThenable } from '../values/thenable.js';
import { typedReplacer } from '../values/typed.js';
import type { HttpTransport } from './http.js';
import { MAX_ATTEMPTS } from './kv-tx.js';
import { remoteMethods } from './remote-methods.js';

/**
 * profiles over HTTP; see {@link ProfilesStore}. Every method is generated from its operation
 * (contract/profiles.ts) but `update`, a compare-and-set loop over `getEntry` and `set` run here.
 */
export function remoteProfiles(http: HttpTransport, ns: string): ProfilesStore {
  const plain = remoteMethods<Omit<ProfilesStore, 'update'>>(http, ns, profilesOps);
  const update = async <T>(userId: string, fn: (current: DeepReadonly<T> | undefined) => T | DeepReadonly<T> | undefined) => {
    if (typeof fn !== 'function') throw new ValidationError('fn', 'must be a function');
    validateKey(userId, 'userId');
    const step = checkedUpdate(fn);
    for (let attempt = 1; ; attempt++) {
      const e = await plain.getEntry<T>(userId);
      const next = step(e?.profile);
      if (isThenable(next)) throw new ValidationError('fn', 'must be synchronous; it returned a promise (use locks for async work)');
      try {
        if (next === undefined) {
          if (e) await plain.delete(userId, { ifVersion: e.version });
          return undefined;
        }
        await plain.set(userId, next as object, { ifVersion: e?.version ?? 0 });
        return parseFrozen<DeepReadonly<T>>(JSON.stringify(next, typedReplacer));
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  };
  return Object.freeze({ ...plain, update });
}
