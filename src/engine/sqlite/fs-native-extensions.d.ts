// fs-native-extensions ships no type declarations; these are the calls the write gate uses.
// On Linux they are open-file-description locks (fcntl F_OFD_SETLK / F_OFD_SETLKW).
declare module 'fs-native-extensions' {
  /** Takes the lock if free; false when another open file description holds it. */
  export function tryLock(fd: number, offset: number, length: number): boolean;
  /** Resolves once the lock is granted; the wait blocks one libuv thread-pool thread. */
  export function waitForLock(fd: number, offset: number, length: number): Promise<void>;
  export function unlock(fd: number, offset: number, length: number): void;
}
