/**
 * The engine every conformance test runs against, chosen by `MEMEX_ENGINE` (default `sqlite`).
 * The store suites open their stores only through `openTestMemex`, so adding an engine means
 * adding a case here and running the same files with `MEMEX_ENGINE=<name>`; tests that need a
 * capability an engine lacks check `capabilities` (never the engine's name).
 */
import { afterEach } from 'vitest';
import { openMemex, type Memex, type MemexOptions } from '../../src/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

export const ENGINE = process.env.MEMEX_ENGINE ?? 'sqlite';

export const capabilities = {
  /** Several OS processes can open the same store (tests that spawn processes need it). */
  multiProcess: ENGINE === 'sqlite',
};

/** Opens a fresh store (or the one at `location`, to reopen it) on the engine under test. */
export async function openTestMemex(options: Partial<MemexOptions> = {}, location: string = tempDbPath()): Promise<Memex> {
  switch (ENGINE) {
    case 'sqlite':
      return openMemex({ path: location, durability: 'normal', ...options });
    default:
      throw new Error(`MEMEX_ENGINE=${ENGINE}: no such engine in this version`);
  }
}

/**
 * For a test file: `open` stores on the engine under test, all closed (and temp files removed)
 * after each test; `track` adds a store opened some other way.
 */
export function useStores(): { open: typeof openTestMemex; track: (mx: Memex) => Memex } {
  const opened: Memex[] = [];
  afterEach(async () => {
    for (const mx of opened.splice(0)) await mx.close();
    cleanupTemp();
  });
  const track = (mx: Memex) => {
    opened.push(mx);
    return mx;
  };
  return { open: async (options, location) => track(await openTestMemex(options, location)), track };
}
