// The tiny in-memory engine of test/engines runs the whole exported conformance suite: the seam and
// the suites are engine-agnostic. Groups needing what it lacks (full text, backup, several
// processes) are skipped with that reason.
import { openMemex } from '../../src/index.js';
import { engineConformance, memexConformance } from '../../src/testing/index.js';
import { mapEngine, MapStorage } from '../engines/map-engine.js';

const storages = new Map<string, MapStorage>();
let n = 0;

memexConformance({
  name: 'map (test engine)',
  capabilities: { multiProcess: false, multiHost: false, durableFull: false, backup: false, persistent: true, fullText: false },
  newLocation: () => `map-${n++}`,
  open: (location, options) => {
    let s = storages.get(location);
    if (!s) storages.set(location, (s = new MapStorage()));
    return openMemex({ engine: mapEngine(s), ...options });
  },
  cleanup: () => storages.clear(),
});

engineConformance({ name: 'map (test engine)', open: (o) => mapEngine().open(o) });
