// src/ has no import circles (type-only imports included): a module that imports one that imports
// it back means a shared piece lives a floor too high (issue 30's list; untied on 2026-12-07).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cyclicComponents } from '../../src/testing/list-append/scc.js';

const SRC = join(import.meta.dirname, '../../src');

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative `import … from` / `export … from` targets of each module (its .ts file). */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of modules(SRC)) {
    const deps = [...readFileSync(file, 'utf8').matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)]
      .map((m) => normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'))
      .filter((t) => existsSync(t));
    g.set(file, deps);
  }
  return g;
}

/** Groups of modules that import each other, directly or not. */
function circles(g: Map<string, string[]>): string[][] {
  const files = [...g.keys()];
  const at = new Map(files.map((f, i) => [f, i]));
  return cyclicComponents(files.length, (v) => g.get(files[v]!)!.map((f) => at.get(f)!)).map((c) => c.map((v) => relative(SRC, files[v]!)).sort());
}

describe('the module graph of src/', () => {
  it('has no import circles', () => {
    const g = graph();
    expect(g.size).toBeGreaterThan(100);
    expect(circles(g)).toEqual([]);
  });
});
