/**
 * Child processes of the tests run their TypeScript (fixtures, helpers, src/) as JavaScript that
 * esbuild compiled once per vitest run, instead of through `--import tsx` in every child.
 *
 * Why: tsx is esbuild plus Node loader hooks, and on Node 20 those hooks run on a thread of their
 * own that every module's resolve and load waits on; a child (or a worker thread, which registers
 * its own) that loads src/ took ~1 s and ~0.9 CPU-s where the same code as plain JavaScript takes
 * ~0.5 s and ~0.4 CPU-s, and the suite starts a few hundred of them. The code is the same: the
 * transform is tsx's (esbuild, the same options), done ahead of time; imports, the module graph and
 * `import.meta.url` siblings (worker scripts, dist/, package.json) resolve as they do from the
 * checkout, through links in the mirror.
 *
 * `test/js-mirror.setup.ts` (vitest's globalSetup) builds the mirror in a temporary directory
 * and names it in MEMEX_TEST_JS; without it (a script run by hand) children use tsx as before.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform, type TransformOptions } from 'esbuild';

/** The checkout: the mirror holds its src/ and test/, and links to the rest. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMPILED = ['src', 'test'];
const LINKED = ['dist', 'node_modules', 'package.json'];

function* filesUnder(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* filesUnder(path);
    else if (e.isFile()) yield path;
  }
}

/** Compiles src/ and test/ of the checkout into `out` (an empty directory); non-TypeScript files are copied. */
export async function buildMirror(out: string): Promise<void> {
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: object };
  // tsx's options (its transform: target this node, keepNames, source maps), ahead of time.
  const options: TransformOptions = {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    keepNames: true,
    sourcemap: 'inline',
    tsconfigRaw: { compilerOptions: tsconfig.compilerOptions },
  };
  const jobs: Promise<void>[] = [];
  for (const top of COMPILED) {
    for (const file of filesUnder(join(ROOT, top))) {
      const target = join(out, relative(ROOT, file));
      mkdirSync(dirname(target), { recursive: true });
      if (file.endsWith('.d.ts')) continue;
      if (!file.endsWith('.ts')) {
        copyFileSync(file, target);
        continue;
      }
      jobs.push(
        transform(readFileSync(file, 'utf8'), { ...options, sourcefile: file }).then((r) => writeFileSync(`${target.slice(0, -3)}.js`, r.code)),
      );
    }
  }
  for (const name of LINKED) symlinkSync(join(ROOT, name), join(out, name));
  await Promise.all(jobs);
}

/**
 * How to run `file` in a child: its compiled copy when the mirror exists and holds it, else the
 * TypeScript through tsx (and JavaScript as it is).
 */
export function runnable(file: string): { file: string; execArgv: string[] } {
  if (!file.endsWith('.ts')) return { file, execArgv: [] };
  const mirror = process.env.MEMEX_TEST_JS;
  const rel = relative(ROOT, file);
  if (mirror && COMPILED.some((top) => rel.startsWith(`${top}${sep}`))) {
    // Stack traces and errors a child prints point at the TypeScript, as under tsx.
    return { file: join(mirror, `${rel.slice(0, -3)}.js`), execArgv: ['--enable-source-maps'] };
  }
  return { file, execArgv: ['--import', 'tsx'] };
}
