import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ValidationError } from '../errors.js';

interface Outcome {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Writes resent with the same `Idempotency-Key` are applied once: the first request's outcome
 * (or, while it is still running, its promise) answers every repeat. Keys are per caller (token)
 * and per operation; a key reused with a different body is refused. Bounded: the newest 10,000
 * keys for 10 minutes, in this server process (a restarted server has forgotten them).
 */
export class IdempotencyCache {
  private readonly seen = new LRUCache<string, { body: string; outcome: Promise<Outcome> }>({ max: 10_000, ttl: 10 * 60_000 });

  async run(caller: string, op: string, key: string, body: unknown, exec: () => Promise<Outcome>): Promise<Outcome> {
    if (key.length === 0 || key.length > 200) throw new ValidationError('Idempotency-Key', 'must be 1..200 characters');
    const id = `${caller}\u0000${op}\u0000${key}`;
    const digest = createHash('sha256')
      .update(JSON.stringify(body) ?? '')
      .digest('base64');
    const prior = this.seen.get(id);
    if (prior) {
      if (prior.body !== digest) throw new ValidationError('Idempotency-Key', 'was already used for a different request');
      return prior.outcome;
    }
    const outcome = exec();
    this.seen.set(id, { body: digest, outcome });
    // A failure that changed nothing may be retried for real: forget it (errors are answered, not cached).
    outcome.then(
      (o) => {
        if (o.status >= 500) this.seen.delete(id);
      },
      () => this.seen.delete(id),
    );
    return outcome;
  }
}
