import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runnable } from './js-mirror.js';

/** Absolute path of a file relative to the calling module's URL. */
export function here(metaUrl: string, rel: string): string {
  return fileURLToPath(new URL(rel, metaUrl));
}

/**
 * Starts `node file args…`; TypeScript files run as the compiled copy of the test run's mirror
 * (js-mirror.ts), or through tsx without one, so fixtures can import src/ directly.
 */
export function spawnScript(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const run = runnable(file);
  return spawn(process.execPath, [...run.execArgv, run.file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Calls `onLine` for every stdout line; resolves with the exit code (or signal) and stderr. */
export function watchChild(
  child: ChildProcess,
  onLine: (line: string) => void = () => {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

/** Runs a script to completion and returns its stdout lines; rejects on a non-zero exit. */
export async function runScript(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const lines: string[] = [];
  const r = await watchChild(spawnScript(file, args, env), (l) => lines.push(l));
  if (r.code !== 0) throw new Error(`${file} exited with ${r.code ?? r.signal}: ${r.stderr}`);
  return lines;
}

/**
 * `signal`, unless the child exits first: a child that dies before it reports what the test
 * waits for fails the test at once with its stderr, instead of hanging until the test timeout.
 */
export function unlessExited<T>(
  signal: Promise<T>,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>,
  what: string,
): Promise<T> {
  return Promise.race([
    signal,
    exited.then((e) => {
      throw new Error(`the child exited (code ${e.code}, signal ${e.signal}) before ${what}:\n${e.stderr}`);
    }),
  ]);
}

/**
 * Starts `file` and resolves once one of its stdout lines is `readyLine` (a holder saying it holds
 * its lock, say) with the child and its exit; fails with the child's stderr if it exits first.
 */
export async function spawnUntil(file: string, args: string[], readyLine: string, what: string) {
  const child = spawnScript(file, args);
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  const exited = watchChild(child, (line) => line === readyLine && ready());
  await unlessExited(isReady, exited, what);
  return { child, exited };
}
