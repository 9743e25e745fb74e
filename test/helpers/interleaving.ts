import type { Memex } from '../../src/index.js';

/**
 * How many times commit order passes from one process's writes to another's: the change feed is
 * read in seq order and each kv event whose key `owner` attributes to a process (by returning its
 * name) is compared with the previous attributed one. Processes that ran one after another give
 * at most (processes - 1); processes that overlapped give many. Overlap observed in what was
 * stored, across the boundary under test, not inferred from one process's own counters.
 */
export async function processSwitches(mx: Memex, owner: (key: string) => string | undefined): Promise<number> {
  let after = 0;
  let prev: string | undefined;
  let switches = 0;
  for (;;) {
    const page = await mx.events.since(after, { store: 'kv', limit: 1000 });
    for (const e of page) {
      after = e.seq;
      const who = e.key === null ? undefined : owner(e.key);
      if (who === undefined) continue;
      if (prev !== undefined && who !== prev) switches++;
      prev = who;
    }
    if (page.length < 1000) return switches;
  }
}
