// The README's Server section as a reader runs it: its curl lines and its Python program (standard
// library only) against a real server, unchanged except for the server's address.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { serverAt, stopServers } from '../helpers/http-server.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const run = promisify(execFile);
const readme = readFileSync(here(import.meta.url, '../../README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Server'), readme.indexOf('\n## ', readme.indexOf('## Server') + 5));
const blocks = (lang: string) => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

afterEach(async () => {
  await stopServers();
  cleanupTemp();
});

const start = async () => {
  const path = tempDbPath();
  return (await serverAt(path, () => openMemex({ path, durability: 'normal' }))).url;
};

describe('README: Server', () => {
  it('the curl examples run as written, and none answers an error', async () => {
    const url = await start();
    const curl = blocks('sh').find((b) => b.includes('curl'));
    expect(curl).toBeDefined();
    const script = curl!.replace('MEMEX=http://127.0.0.1:7077', `MEMEX=${url}`);
    expect(script).not.toBe(curl);
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script.replaceAll('curl -s ', 'curl -s -w "\\n" ')]);
    const answers = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(answers).toHaveLength(script.split('\n').filter((l) => l.startsWith('curl')).length);
    for (const a of answers) expect(a).not.toHaveProperty('code');
    const search = answers.at(-1) as { result: { id: string }[] };
    expect(search.result.map((h) => h.id)).toEqual(['n1']);
  });

  it('the Python program runs as written and prints what it stored and found', async () => {
    const url = await start();
    const [py] = blocks('python');
    expect(py).toBeDefined();
    const { stdout } = await run('python3', ['-c', py!], { env: { ...process.env, MEMEX_URL: url } });
    expect(stdout.trim()).toBe("['apple'] I like Python Hi! ['n1']");
  });
});
