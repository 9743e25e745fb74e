// `pg_ctlcluster 15 main restart` while 3 nodes write: in-flight calls fail with StorageError
// (nothing else), no acknowledged write is lost, and every node writes again once the server is
// back, without being restarted itself. Needs root (CI runs .ci/run as root).
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupLocations, newLocation, openAt } from '../helpers/location.js';
import { startNodes } from '../helpers/nodes.js';

afterEach(cleanupLocations);
const CLUSTER = (process.env.MEMEX_PG_CLUSTER ?? '15 main').split(' ');

interface Steady {
  acked: [string, number][];
  errors: Record<string, number>;
}

describe('PostgreSQL restart while nodes write', () => {
  it('loses no acknowledged write; the nodes see StorageErrors, then recover by themselves', async () => {
    const location = newLocation('postgres');
    await (await openAt(location)).close();
    const run = await startNodes<Steady>(location, (i) => ['steady', String(i), '4', '9000'], 3);
    // Let them write, then restart the server under them.
    await new Promise((r) => setTimeout(r, 1500));
    execFileSync('pg_ctlcluster', [...CLUSTER, 'restart', '-m', 'fast'], { stdio: 'ignore' });
    const backAt = Date.now();
    const results = await run.results;

    const mx = await openAt(location);
    try {
      for (const r of results) {
        for (const code of Object.keys(r.errors)) expect(code).toMatch(/^StorageError:/);
        // Written again after the restart: recovered without a restart of the node.
        expect(r.acked.filter(([, at]) => at > backAt + 200).length).toBeGreaterThan(10);
        const stored = await mx.kv.getMany(r.acked.map(([k]) => k));
        expect(stored.filter((v) => v === undefined)).toHaveLength(0);
      }
      expect(results.reduce((n, r) => n + Object.values(r.errors).reduce((a, b) => a + b, 0), 0)).toBeGreaterThan(0);
      console.log(`restart: acked ${results.map((r) => r.acked.length).join(' / ')}; errors ${JSON.stringify(results.map((r) => r.errors))}`);
    } finally {
      await mx.close();
    }
  });
});
