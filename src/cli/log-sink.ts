/** Where `memex serve` writes its log lines. */
export interface LogSink {
  write(line: string): void;
  /** Resolves once what was written has left the process, or after `ms`, or at once if the reader is gone. */
  settle(ms: number): Promise<void>;
}

/**
 * The server's log lines to stderr, through Node's own stream, and off for good once stderr's
 * reader is gone (EPIPE: whoever started the server has exited). Not `pino.destination(2)`: pino
 * flushes that stream synchronously when the process exits, and sonic-boom 4's `flushSync`
 * retries a failed write every 100 ms whatever the error — to a closed pipe, forever — so a
 * server orphaned by its parent finished its shutdown and then never exited (issue 35). Nothing
 * here runs at exit.
 *
 * @example
 * ```ts
 * const sink = stderrSink();
 * const logger = pino({ level: 'info' }, sink);
 * ```
 */
export function stderrSink(out: NodeJS.WritableStream & { writableLength?: number } = process.stderr): LogSink {
  let broken = false;
  // Without a listener an EPIPE would be thrown as an uncaught error and end the server abruptly.
  out.on('error', () => {
    broken = true;
  });
  return {
    write(line) {
      if (!broken) out.write(line);
    },
    settle(ms) {
      if (broken || !out.writableLength) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        out.once('drain', done);
        out.once('error', done);
        function done() {
          clearTimeout(timer);
          out.off('drain', done);
          out.off('error', done);
          resolve();
        }
      });
    },
  };
}
