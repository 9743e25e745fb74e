/**
 * The engine every conformance test runs against, chosen by `MEMEX_ENGINE` (default `sqlite`).
 * The store suites open their stores only through `openTestMemex`, so adding an engine means
 * adding a case here and running the same files with `MEMEX_ENGINE=<name>`; tests that need a
 * capability an engine lacks check `capabilities` (never the engine's name).
 */
import { openMemex, type Memex, type MemexOptions } from '../../src/index.js';
import { tempDbPath } from '../helpers/tmp.js';

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
