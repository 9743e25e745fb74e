import { ClosedError, LockTimeoutError, StorageError } from '../../errors.js';
import type { WireError } from './protocol.js';

/** SQLSTATE 55P03: `lock_timeout` expired while waiting for the schema's write lock. */
export const LOCK_NOT_AVAILABLE = '55P03';

/** Driver errors become `StorageError` whose `driverCode` is the SQLSTATE or the network error's code. */
export function toStorageError(what: string) {
  return (e: WireError): Error => {
    if (e.code === 'MEMEX_CLOSED') return new ClosedError();
    if (e.code === LOCK_NOT_AVAILABLE) return new LockTimeoutError('the write lock (PostgreSQL advisory lock)', NaN);
    return new StorageError(`${what}: ${e.message}`, e.code);
  };
}
