import { afterEach } from 'vitest';
import type { Memex } from '../../src/index.js';
import { cleanupTemp } from './tmp.js';

/** For a test file: `track` a store so it is closed (and temp files removed) after each test. */
export function closeAfterEach(): (mx: Memex) => Memex {
  const opened: Memex[] = [];
  afterEach(async () => {
    for (const mx of opened.splice(0)) await mx.close();
    cleanupTemp();
  });
  return (mx) => (opened.push(mx), mx);
}
