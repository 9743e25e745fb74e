#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { runDemo, type DemoOptions } from './demo.js';
import { formatDemo } from './print-demo.js';

const int = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};

const program = new Command('memex').description('Memex: a memory store for AI agents');

program
  .command('demo')
  .description('several agent processes hammer one store (a SQLite file, or PostgreSQL with --url); prints the totals that prove no update was lost')
  .option('-p, --processes <n>', 'agent processes', int(1, 64), 4)
  .option('-w, --workers <n>', 'worker threads per process', int(1, 16), 2)
  .option('-c, --callers <n>', 'concurrent async callers per worker', int(1, 256), 8)
  .option('-s, --seconds <n>', 'how long they run', int(1, 600), 3)
  .option('-d, --durability <mode>', "'full' or 'normal'", 'full')
  .option('--path <file>', 'database file (default: a new temp dir)')
  .option('--url <postgres-url>', 'run against PostgreSQL instead: postgres://user:pass@host:5432/db (fleet mode)')
  .option('--schema <name>', 'the PostgreSQL schema (with --url)', 'memex')
  .option('--json', 'print the report as JSON')
  .action(async (opts: DemoOptions & { json?: boolean }) => {
    if (opts.durability !== 'full' && opts.durability !== 'normal') program.error("--durability must be 'full' or 'normal'");
    if (opts.url !== undefined && opts.path !== undefined) program.error('give --path or --url, not both');
    const report = await runDemo(opts);
    process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatDemo(opts, report)}\n`);
    process.exitCode = report.ok ? 0 : 1;
  });

await program.parseAsync();
