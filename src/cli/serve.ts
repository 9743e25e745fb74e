import pino from 'pino';
import { drain } from './drain.js';
import { stderrSink } from './log-sink.js';
import { openFromFlags, type StoreFlags } from './open-store.js';
import { effectiveSettings, loadConfig, type LoadedConfig } from './config-file.js';
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
  /** The longest a shutdown takes: then the process exits, whatever is still running (`--drain-timeout-ms`). */
  drainTimeoutMs: number;
  /** A JSON file of store policies (`--config`): see config-file.ts. */
  config?: string;
  /** Print the effective settings and exit (`--print-config`). */
  printConfig?: boolean;
}

/** The policies of `--config` (none without it) and the effective settings they make (`--print-config`). */
export function configOf(o: StoreFlags & { config?: string }): { options: LoadedConfig['options']; settings: Record<string, unknown> } {
  const loaded = o.config === undefined ? undefined : loadConfig(o.config);
  const options = loaded?.options ?? {};
  return { options, settings: effectiveSettings({ path: ':memory:', ...options }, loaded?.embedder, loaded?.described) };
}

/** Whether `host` is a loopback address (the only kind a server without tokens may listen on). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `memex serve`: opens the store, serves it, and on SIGTERM or SIGINT stops accepting, lets the
 * requests in flight finish, ends the holds it keeps for remote callers, closes the store and
 * exits — within `drainTimeoutMs` always: requests still running then lose their connections, and
 * a shutdown that still has not finished at the deadline exits with code 1. Whoever started the
 * server (a shell, an orchestrator, a parent that has since exited) gets the same.
 * Resolves once the server is listening.
 */
export async function serve(o: ServeOptions): Promise<{ url: string; stop: () => Promise<void> }> {
  if (!o.tokens && !isLoopback(o.host))
    throw new Error(`refusing to listen on ${o.host} without --tokens: anyone who can reach it could read and write every namespace`);
  const tokens = o.tokens ? Tokens.fromFile(o.tokens) : undefined;
  // Logs go to stderr as JSON; no request body and no Authorization header is ever logged.
  const sink = stderrSink();
  const logger = pino({ level: o.logLevel, redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' } }, sink);
  const { options: policies, settings } = configOf(o);
  const memex = await openFromFlags(o, policies);
  const app = await buildServer({ memex, tokens, logger, bodyLimit: o.bodyLimit, rateLimitPerMinute: o.rateLimit, corsOrigins: o.cors, settings });
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = addr && typeof addr === 'object' ? addr.port : o.port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  const { drainTimeoutMs } = o;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: finishing requests in flight');
      const clean = await drain(app, memex, logger, drainTimeoutMs);
      logger.info(clean ? 'stopped' : 'stopped; requests still in flight were cut');
    })());
  const exit = (code: number) => void sink.settle(500).then(() => process.exit(code));
  for (const sig of ['SIGTERM', 'SIGINT'] as const)
    process.once(sig, () => {
      // The deadline holds even if closing the store hangs (an unreachable database).
      setTimeout(() => {
        logger.error(`not stopped within the drain timeout of ${drainTimeoutMs} ms: exiting`);
        exit(1);
      }, drainTimeoutMs);
      void stop().then(
        () => exit(0),
        (e: unknown) => {
          logger.error({ err: e }, 'shutdown failed');
          exit(1);
        },
      );
    });
  return { url, stop };
}
