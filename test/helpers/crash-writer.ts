import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnScript } from './spawn.js';

export type WriterRun =
  | {
      readonly outcome: 'killed';
      readonly killDelayMs: number;
      readonly exit: { code: number | null; signal: NodeJS.Signals | null };
      readonly stderr: string;
    }
  | { readonly outcome: 'no-ack'; readonly reason: 'exit' | 'timeout'; readonly stderr: string };

/**
 * The crash loops' step: starts a writer script, hands each stdout line to `onLine` (which says
 * whether it was an acknowledgement), and once the first one arrives SIGKILLs the writer 30-300 ms
 * later (drawn from `rng`). Resolves after the writer is gone and all its lines were read. A writer
 * that exits or acknowledges nothing within `startTimeoutMs` is killed and reported as `no-ack`.
 */
export async function runWriterUntilKilled(
  script: string,
  args: string[],
  onLine: (line: string) => unknown,
  rng: () => number,
  startTimeoutMs = 30_000,
): Promise<WriterRun> {
  const child = spawnScript(script, args);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (!child.stdout) throw new Error('writer has no stdout');
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  let onFirstAck: () => void = () => {};
  const firstAck = new Promise<'ack'>((r) => (onFirstAck = () => r('ack')));
  rl.on('line', (line) => {
    if (onLine(line) === 'ack') onFirstAck();
  });
  const linesDone = new Promise<void>((r) => rl.once('close', () => r()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('close', (code, signal) => r({ code, signal })),
  );

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), startTimeoutMs)));
  const first = await Promise.race([firstAck, exited.then(() => 'exit' as const), timedOut]);
  clearTimeout(timer);
  if (first !== 'ack') {
    child.kill('SIGKILL');
    await exited;
    return { outcome: 'no-ack', reason: first, stderr };
  }
  const killDelayMs = 30 + Math.floor(rng() * 271);
  await new Promise<void>((r) => setTimeout(r, killDelayMs));
  child.kill('SIGKILL');
  const exit = await exited;
  await linesDone;
  return { outcome: 'killed', killDelayMs, exit, stderr };
}

/** Copies a database and its WAL beside it (`check-copy.db`), so checking it cannot change the original. */
export function copyForCheck(dbPath: string): string {
  const checkPath = join(dirname(dbPath), 'check-copy.db');
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(checkPath + suffix, { force: true });
  copyFileSync(dbPath, checkPath);
  if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${checkPath}-wal`);
  return checkPath;
}
