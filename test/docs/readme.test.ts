// Every code block of README.md, as written, against the built package: each TypeScript block is
// type-checked and run (a snippet after a shared preamble that defines only the placeholders the
// text names: a store `mx`, a namespace `user`, a model call, a vector…); the line the README says
// fails must fail to compile and throw a TypeError; blocks another test runs, or that cannot run
// here, say so in the README with a reason, which this test requires.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openMemex, type Memex } from '../../src/index.js';
import { buildServer } from '../../src/server/index.js';
import { dropSchemas, PG_URL } from '../helpers/pg.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDir } from '../helpers/tmp.js';
import { codeBlocks, program, type Block } from './blocks.js';

const run = promisify(execFile);
/** tsx's loader by its file URL: the blocks run in fresh directories, where `tsx` does not resolve. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const ROOT = here(import.meta.url, '../..');
const GEN = `${ROOT}/.doc-tests`;
const blocks = codeBlocks(readFileSync(`${ROOT}/README.md`, 'utf8'));
const ts = blocks.filter((b) => b.lang === 'ts' && b.mode !== 'skip' && b.mode !== 'elsewhere');
const file = (b: Block) => `${GEN}/readme-line-${b.line}.ts`;

let server: { app: FastifyInstance; memex: Memex } | undefined;

beforeAll(async () => {
  rmSync(GEN, { recursive: true, force: true });
  mkdirSync(GEN, { recursive: true });
  writeFileSync(
    `${GEN}/tsconfig.json`,
    JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '..' }, include: ['./*.ts'] }),
  );
  for (const b of ts) writeFileSync(file(b), program(b));
  // The remote client's example talks to http://127.0.0.1:7077, the port the README names.
  const memex = await openMemex({ path: `${tempDir()}/served.db`, durability: 'normal' });
  const app = await buildServer({ memex });
  await app.listen({ host: '127.0.0.1', port: 7077 });
  server = { app, memex };
});
afterAll(async () => {
  await server?.app.close();
  await server?.memex.close();
  rmSync(GEN, { recursive: true, force: true });
  cleanupTemp();
  await dropSchemas();
});

describe('README code blocks', () => {
  it('every block is run here or says why not', () => {
    expect(ts.length).toBeGreaterThanOrEqual(12);
    for (const b of blocks) {
      if (b.lang === '' || b.lang === 'text') continue; // prose: a directory tree, output
      if (b.mode === 'run') expect(['ts', 'python', 'sh'], `line ${b.line}`).toContain(b.lang);
      else expect(b.reason.length, `line ${b.line}: a ${b.mode} block gives its reason`).toBeGreaterThan(10);
      if (b.mode === 'elsewhere') expect(readFileSync(`${ROOT}/${b.reason.split(' ')[0]!}`, 'utf8'), `line ${b.line}`).toContain('README');
      if (b.lang !== 'ts') expect(b.mode, `line ${b.line}: only TypeScript runs here`).not.toBe('run');
    }
  });

  it('every TypeScript block type-checks against the package’s types', async () => {
    const r = await run(process.execPath, [`${ROOT}/node_modules/typescript/bin/tsc`, '-p', `${GEN}/tsconfig.json`]).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it.each(ts.filter((b) => b.mode === 'run').map((b) => [b.line, b] as const))('the block at line %i runs as written', async (_line, b) => {
    const cwd = tempDir('memex-readme-');
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: PG_URL };
    delete env.MEMEX_TOKEN; // the server the remote example reaches has no tokens
    const r = await run(process.execPath, ['--import', TSX, file(b)], { cwd, env, timeout: 60_000 }).then(
      () => ({ ok: true, err: '' }),
      (e: { stderr: string }) => ({ ok: false, err: e.stderr }),
    );
    expect(r.err).toBe('');
    expect(r.ok).toBe(true);
  });
});
