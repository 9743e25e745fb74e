// The whole exported conformance suite, and the seam suite, against the embedded SQLite engine.
import { openMemex, sqliteEngine } from '../../src/index.js';
import { SqliteEngine } from '../../src/engine/sqlite/engine.js';
import { engineConformance, memexConformance } from '../../src/testing/index.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

memexConformance({
  name: 'sqlite',
  capabilities: { multiProcess: true, multiHost: false, durableFull: false, backup: true, persistent: true, fullText: true },
  newLocation: () => tempDbPath(),
  open: (path, options) => openMemex({ engine: sqliteEngine({ path, durability: 'normal' }), ...options }),
  cleanup: cleanupTemp,
});

engineConformance({
  name: 'sqlite',
  open: (o) =>
    SqliteEngine.open({ path: tempDbPath(), durability: 'normal', checkOnOpen: 'quick', maxBatch: 64, walWarnBytes: 1 << 30, minFreeBytes: 1, ...o }),
  cleanup: cleanupTemp,
});
