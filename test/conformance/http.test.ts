// The whole exported conformance suite against the remote client: each location is a real
// server (an ephemeral loopback port, over the network stack) on its own SQLite file; opening a
// location twice gives two clients of that server.
import { openMemex, sqliteEngine } from '../../src/index.js';
import { memexConformance } from '../../src/testing/index.js';
import { serverAt, stopServer, stopServers } from '../helpers/http-server.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

memexConformance({
  name: 'http',
  // The server's store is SQLite with durability 'normal': commits survive a crash, not power loss.
  capabilities: { multiProcess: true, multiHost: true, durableFull: false, backup: true, persistent: true, fullText: true },
  newLocation: () => tempDbPath(),
  open: async (path, options) => {
    const server = await serverAt(path, () => openMemex({ engine: sqliteEngine({ path, durability: 'normal' }), ...options }));
    return openMemex({ url: server.url });
  },
  // A reopen restarts the server: the store behind it is closed and opened again.
  restart: stopServer,
  cleanup: async () => {
    await stopServers();
    cleanupTemp();
  },
});
