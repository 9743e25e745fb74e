// The Python client (clients/python) against the real `memex serve`: its own unittest suite, run
// as a Python user runs it — every store's round trip on SQLite and PostgreSQL, typed errors
// naming the field, 3 processes x 10 threads incrementing one key with update and with patch, a
// lock held across processes, events.watch resumed across a server restart, the async client,
// and the README's Python examples. The suite starts `node dist/cli/main.js serve` itself (built
// by `npm test` before vitest runs); MEMEX_REQUIRE_PG=1 makes an unreachable PostgreSQL a
// failure, never a skip, as in the rest of the suite.
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { here } from '../helpers/spawn.js';

const ROOT = here(import.meta.url, '../..');

/** Runs the unittest suite; resolves with the exit code and everything it printed. */
function unittest(): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'python3',
      ['-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-v'],
      { cwd: ROOT, env: { ...process.env, MEMEX_REQUIRE_PG: '1' }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const killed = err?.killed ? `\n(killed after 180 s: ${String(err.signal)})` : '';
        resolve({ code, output: `${stdout}${stderr}${killed}` });
      },
    );
  });
}

describe('the Python client', () => {
  it('passes its unittest suite against memex serve on SQLite and PostgreSQL', { timeout: 200_000 }, async () => {
    const { code, output } = await unittest();
    expect(code, output).toBe(0);
    expect(output).toMatch(/^OK/m);
    expect(output).not.toMatch(/skipped/); // PostgreSQL is required here: nothing may be skipped
  });
});
