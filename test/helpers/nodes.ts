import { expect } from 'vitest';
import { here, spawnScript, unlessExited, watchChild } from './spawn.js';

const NODE = here(import.meta.url, '../fixtures/pg-node.ts');

/**
 * Starts `n` fleet nodes (test/fixtures/pg-node.ts) on `location`, waits until all are ready and
 * releases them together; `results` resolves with each node's JSON line once all have exited 0.
 */
export async function startNodes<T>(location: string, argsOf: (i: number) => string[], n: number): Promise<{ results: Promise<T[]> }> {
  const kids = Array.from({ length: n }, (_, i) => {
    const child = spawnScript(NODE, [location, ...argsOf(i)]);
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    let result: T | undefined;
    const exited = watchChild(child, (line) => {
      if (line === 'ready') ready();
      else if (line.startsWith('{')) result = JSON.parse(line) as T;
    });
    return { child, isReady, exited, result: () => result };
  });
  await Promise.all(kids.map((k) => unlessExited(k.isReady, k.exited, 'it was ready')));
  for (const k of kids) k.child.stdin!.end('go\n');
  const results = (async () => {
    for (const e of await Promise.all(kids.map((k) => k.exited))) expect(e.code, e.stderr).toBe(0);
    return kids.map((k) => k.result()!);
  })();
  return { results };
}
