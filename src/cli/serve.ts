import pino from 'pino';
import { openFromFlags, type StoreFlags } from './open-store.js';
import { buildServer } from '../server/app.js';
import { Tokens } from '../server/tokens.js';

export interface ServeOptions extends StoreFlags {
  host: string;
  port: number;
  tokens?: string;
  bodyLimit: number;
  rateLimit: number;
  cors?: string[];
  logLevel: string;
}

/** Whether `host` is a loopback address (the only kind a server without tokens may listen on). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `memex serve`: opens the store, serves it, and on SIGTERM or SIGINT stops accepting, lets the
 * requests in flight finish, ends the holds it keeps for remote callers, and closes the store.
 * Resolves once the server is listening; `onListening` receives its address.
 */
export async function serve(o: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  if (!o.tokens && !isLoopback(o.host))
    throw new Error(`refusing to listen on ${o.host} without --tokens: anyone who can reach it could read and write every namespace`);
  const tokens = o.tokens ? Tokens.fromFile(o.tokens) : undefined;
  // Logs go to stderr as JSON; no request body and no Authorization header is ever logged.
  const logger = pino(
    { level: o.logLevel, redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' } },
    pino.destination(2),
  );
  const memex = await openFromFlags(o);
  const app = await buildServer({ memex, tokens, logger, bodyLimit: o.bodyLimit, rateLimitPerMinute: o.rateLimit, corsOrigins: o.cors });
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = addr && typeof addr === 'object' ? addr.port : o.port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: finishing requests in flight');
      await app.close();
      await memex.close();
      logger.info('stopped');
      logger.flush();
    })());
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.once(sig, () => {
      void stop().then(
        () => process.exit(0),
        (e: unknown) => {
          logger.error({ err: e }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  return { url, stop };
}
