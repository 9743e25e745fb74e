import { adminQuery } from '../helpers/pg.js';
import type { RawSnapshot } from './check.js';

/**
 * The kv records of a `pg:<schema>` location, read with a plain pg client (not through Memex).
 * PostgreSQL has no integrity_check; its own consistency is the server's business, so the
 * integrity list is always ok and the checks are the model's.
 */
export async function readRawPg(location: string): Promise<{ integrity: string[]; snap: RawSnapshot }> {
  const schema = location.slice(3);
  // A node killed inside the very first open may not have created the table yet: nothing is stored.
  const [exists] = await adminQuery<{ t: string | null }>(`SELECT to_regclass($1) AS t`, [`"${schema}".records`]);
  if (!exists?.t) return { integrity: ['ok'], snap: { rows: [] } };
  const rows = await adminQuery<RawSnapshot['rows'][number]>(
    `SELECT key, value, version::float8 AS version, expires_at::float8 AS "expiresAt" FROM "${schema}".records WHERE ns = 'default' AND store = 'kv' ORDER BY key`,
  );
  return { integrity: ['ok'], snap: { rows } };
}
