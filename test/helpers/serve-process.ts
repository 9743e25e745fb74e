// `memex serve` as users run it: the built CLI in a child process on an ephemeral loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { here } from './spawn.js';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

const CLI = here(import.meta.url, '../../dist/cli/main.js');

/** Starts `memex serve <args> --port 0`; resolves once it listens (its URL read from stderr). */
export function startServe(args: string[]): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args, '--port', '0', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal, stderr })),
  );
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      const m = / at (http:\/\/\S+) /.exec(line);
      if (m) resolve({ child, url: m[1]!, exited });
    });
    void exited.then((e) => reject(new Error(`memex serve exited (code ${e.code}, signal ${e.signal}) before listening:\n${e.stderr}`)));
  });
}
