/**
 * The stores the kv model runs on, opened through the same factories users open them with: the
 * handle under test, a second handle on the same storage where the engine has one (another
 * connection, another client of the server), and a reopen where the data outlives the handle.
 */
import { openMemex, sqliteEngine, type Memex } from '../../src/index.js';
import type { ManualClock } from '../../src/testing/clock.js';
import { mapEngine, MapStorage } from '../engines/map-engine.js';
import { serverAt, stopServer } from '../helpers/http-server.js';
import { freshSchema, PG_URL } from '../helpers/pg.js';
import { tempDbPath } from '../helpers/tmp.js';

export interface Harness {
  /** The handle the commands use (a new one after each reopen). */
  mx: Memex;
  /** Another handle on the same storage, for concurrent callers from two connections or clients. */
  other: Memex | undefined;
  /** Closes the handles (and for the server, the server itself) and opens them again on the same storage. */
  reopen: (() => Promise<void>) | undefined;
  /** Reopens done so far: counted, so a run can show they happened. */
  reopens: number;
  /**
   * Inside a transaction, the store's own writes carry the client's time, not the store's (the
   * remote client: documented in src/client/kv-tx.ts), so TTLs are left out of its runs.
   */
  clientClockInTx: boolean;
  close(): Promise<void>;
}

/** A harness over `open`, which opens one handle on the storage (called again for each handle). */
async function harness(open: () => Promise<Memex>, two: boolean, persistent: boolean, restart?: () => Promise<void>): Promise<Harness> {
  const h: Harness = {
    mx: await open(),
    other: two ? await open() : undefined,
    reopen: undefined,
    reopens: 0,
    clientClockInTx: restart !== undefined,
    close: async () => {
      await h.other?.close();
      await h.mx.close();
      await restart?.();
    },
  };
  if (persistent) {
    h.reopen = async () => {
      await h.other?.close();
      await h.mx.close();
      await restart?.();
      h.mx = await open();
      h.other = two ? await open() : undefined;
      h.reopens++;
    };
  }
  return h;
}

export type Opener = (clock: ManualClock) => Promise<Harness>;

let servers = 0;

/** What a run may hold: TTLs, and a stored top-level `null`. */
export interface Traits {
  readonly ttl: boolean;
  readonly topLevelNull: boolean;
}
const ALL: Traits = { ttl: true, topLevelNull: true };

/**
 * [name, runs, opener, traits]: runs scale with how long a command takes on each (CI's whole model
 * step stays near 25 s; MEMEX_MODEL_RUNS and scripts/model-at-scale.ts run many more).
 */
export const OPENERS: readonly [name: string, runs: number, open: Opener, traits: Traits][] = [
  ['SQLite :memory:', 120, (clock) => harness(() => openMemex({ path: ':memory:', durability: 'normal', clock: clock.now }), false, false), ALL],
  [
    'SQLite file (sqliteEngine), two connections',
    60,
    (clock) => {
      const path = tempDbPath();
      return harness(() => openMemex({ engine: sqliteEngine({ path, durability: 'normal' }), clock: clock.now }), true, true);
    },
    ALL,
  ],
  [
    'the map test engine, two instances on one storage',
    80,
    (clock) => {
      const storage = new MapStorage();
      return harness(() => openMemex({ engine: mapEngine(storage), clock: clock.now }), true, true);
    },
    ALL,
  ],
  [
    'PostgreSQL (fleet mode), two nodes on one schema',
    10,
    (clock) => {
      // The model's manual clock is given to both nodes (the engine then uses it, not the database's).
      const schema = freshSchema();
      return harness(() => openMemex({ url: PG_URL, schema, clock: clock.now }), true, true);
    },
    ALL,
  ],
  [
    'the remote client over a real server (SQLite file), two clients',
    12,
    (clock) => {
      // The server's store runs on the manual clock; a reopen stops the server and starts a new one.
      const path = tempDbPath();
      const location = `kv-model-${servers++}`;
      const open = async () => {
        const s = await serverAt(location, () => openMemex({ path, durability: 'normal', clock: clock.now }));
        return openMemex({ url: s.url });
      };
      return harness(open, true, true, () => stopServer(location));
    },
    // Its transactions judge expiry by the client's clock, which the server's manual clock is not
    // (so no TTLs). A stored top-level null is in (its getMany reads records since this run found
    // it answering undefined for one).
    { ttl: false, topLevelNull: true },
  ],
];
