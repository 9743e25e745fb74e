import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import Database from 'better-sqlite3';

export interface BenchEnv {
  readonly date: string;
  readonly command: string;
  readonly nproc: number;
  readonly cpu: string;
  readonly ramGiB: number;
  readonly node: string;
  readonly betterSqlite3: string;
  readonly sqlite: string;
  readonly properLockfile: string;
  readonly platform: string;
  /** HEAD as recorded in .git (read from the files, no git command), when available. */
  readonly commit: string | undefined;
  /** 1-minute load average when the run started: a busy shared machine shows here. */
  readonly loadAvgStart: number;
}

const require = createRequire(import.meta.url);
/** The installed version of a package, or 'unknown' (read from node_modules when its exports hide package.json). */
export const packageVersion = (pkg: string): string => {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    for (const dir of require.resolve.paths(pkg) ?? []) {
      try {
        return (JSON.parse(readFileSync(`${dir}/${pkg}/package.json`, 'utf8')) as { version: string }).version;
      } catch {
        // not in this node_modules
      }
    }
    return 'unknown';
  }
};

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function headCommit(root: string): string | undefined {
  try {
    const head = readFileSync(`${root}/.git/HEAD`, 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return readFileSync(`${root}/.git/${ref}`, 'utf8').trim().slice(0, 12);
    } catch {
      const packed = readFileSync(`${root}/.git/packed-refs`, 'utf8')
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`));
      return packed?.slice(0, 12);
    }
  } catch {
    return undefined;
  }
}

/** The machine, versions and command of a run; `script` is the bench's path as typed (e.g. bench/kv.ts). */
export function benchEnv(root: string, argv: readonly string[], script = 'bench/kv.ts'): BenchEnv {
  const db = new Database(':memory:');
  const sqlite = db.prepare('SELECT sqlite_version()').pluck().get() as string;
  db.close();
  return {
    date: new Date().toISOString(),
    command: [`npx tsx ${script}`, ...argv].join(' '),
    nproc: availableParallelism(),
    cpu: cpuModel(),
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    betterSqlite3: packageVersion('better-sqlite3'),
    sqlite,
    properLockfile: packageVersion('proper-lockfile'),
    platform: `${process.platform} ${process.arch}`,
    commit: headCommit(root),
    loadAvgStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}
