import { pathToFileURL, fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Locates a sibling script of the calling module, in `dist/` as `.js` or in `src/` as `.ts`
 * (tests and tsx), with the node flags needed to run it as a child process.
 */
export function siblingScript(metaUrl: string, base: string): { file: string; execArgv: string[] } {
  const ts = metaUrl.endsWith('.ts');
  const file = fileURLToPath(new URL(`./${base}.${ts ? 'ts' : 'js'}`, metaUrl));
  return { file, execArgv: ts ? ['--import', 'tsx'] : [] };
}

/**
 * Starts a sibling script on a worker thread. Node 20 workers ignore `--import` loaders, so a
 * TypeScript worker is started through tsx's register API.
 */
export function siblingWorker(metaUrl: string, base: string, options: WorkerOptions): Worker {
  const { file, execArgv } = siblingScript(metaUrl, base);
  if (execArgv.length === 0) return new Worker(file, options);
  const url = JSON.stringify(pathToFileURL(file).href);
  return new Worker(`import('tsx/esm/api').then((api) => { api.register(); return import(${url}); })`, { ...options, eval: true });
}
