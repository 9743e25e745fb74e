import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes one JSON line straight to fd 1 before returning. Not process.stdout: when the pipe is
 * full it queues in this process, and a SIGKILL would discard lines the parent must see (an issue
 * line lost while its write landed reads as a write nobody issued). fd 1 is non-blocking (libuv),
 * so a full pipe answers EAGAIN: wait for the parent to read and try again.
 */
export function emitLine(line: unknown): void {
  const buf = Buffer.from(`${JSON.stringify(line)}\n`);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
