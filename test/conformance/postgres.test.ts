// The whole exported conformance suite, and the seam suite, against PostgreSQL: each test gets
// fresh schemas on the server .ci/run starts (MEMEX_PG_URL to use another).
import { openMemex, postgresEngine } from '../../src/index.js';
import { PostgresEngine } from '../../src/engine/postgres/engine.js';
import { withPostgresDefaults } from '../../src/engine/postgres/options.js';
import { engineConformance, memexConformance } from '../../src/testing/index.js';
import { dropSchemas, freshSchema, PG_URL } from '../helpers/pg.js';

memexConformance({
  name: 'postgres',
  capabilities: { multiProcess: true, multiHost: true, durableFull: true, backup: false, persistent: true, fullText: true },
  newLocation: () => freshSchema(),
  open: (schema, options) => openMemex({ engine: postgresEngine({ url: PG_URL, schema }), ...options }),
  cleanup: dropSchemas,
});

engineConformance({
  name: 'postgres',
  open: (o) => PostgresEngine.open({ ...withPostgresDefaults({ url: PG_URL, schema: freshSchema() }), ...o, customClock: true }),
  cleanup: dropSchemas,
});
