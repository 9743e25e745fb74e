import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Memex } from '../api/memex.js';

/**
 * Stops a server within `ms`: no new connections, requests in flight finish — until the part of
 * `ms` left for closing the store, when their connections are cut — then the store closes.
 * Resolves `true` when everything in flight finished by itself.
 */
export async function drain(app: FastifyInstance, memex: Memex, logger: Logger, ms: number): Promise<boolean> {
  // The store's close (queued writes, a checkpoint, a pool) gets a quarter of the time, at most 2 s.
  const forRequests = ms - Math.min(2_000, ms / 4);
  let cut = false;
  const timer = setTimeout(() => {
    cut = true;
    logger.warn(`requests still in flight after ${Math.round(forRequests)} ms: closing their connections`);
    app.server.closeAllConnections();
  }, forRequests);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
  await memex.close();
  return !cut;
}
