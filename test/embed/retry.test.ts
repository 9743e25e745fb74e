import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryableStatus, retryAfterMs } from '../../src/embed/retry.js';

describe('backoffDelay', () => {
  it('doubles per attempt, with half of it jittered', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(0, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(400);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(800);
  });
  it('is capped', () => {
    expect(backoffDelay(30, 100, 5_000, () => 1)).toBe(5_000);
  });
});

describe('retryAfterMs', () => {
  const h = (init: Record<string, string>): Headers => new Headers(init);
  it('reads delay-seconds, fractional seconds and retry-after-ms', () => {
    expect(retryAfterMs(h({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(h({ 'retry-after': '0.25' }))).toBe(250);
    expect(retryAfterMs(h({ 'retry-after-ms': '120', 'retry-after': '9' }))).toBe(120);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs(h({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterMs(h({ 'retry-after': 'Tue, 31 Dec 2024 23:00:00 GMT' }), now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(retryAfterMs(h({}))).toBeUndefined();
    expect(retryAfterMs(h({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});

describe('isRetryableStatus', () => {
  it('retries 429 and 5xx only', () => {
    expect([429, 500, 502, 503, 599].every(isRetryableStatus)).toBe(true);
    expect([200, 400, 401, 403, 404, 408, 409, 422, 600].some(isRetryableStatus)).toBe(false);
  });
});
