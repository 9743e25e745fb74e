#!/usr/bin/env node
import { Command } from 'commander';
import { int, storeFlags } from './flags.js';
import { registerOpsCommands } from './commands/register.js';
import { runDemo, type DemoOptions } from './demo.js';
import { formatDemo } from './print-demo.js';
import { configOf, serve, type ServeOptions } from './serve.js';
import { runMcp, type McpOptions } from './mcp.js';

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

storeFlags(program.command('serve'), false)
  .description('serve the store over HTTP/JSON (every store under /v1, OpenAPI at /openapi.json, /healthz, /readyz, /metrics)')
  .option('--durability <mode>', "SQLite: 'full' (fsync every commit, the default) or 'normal'")
  .option('--host <address>', 'address to listen on (without --tokens only loopback is allowed)', '127.0.0.1')
  .option('--port <n>', 'port (0 = any free one)', int(0, 65535), 7077)
  .option('--tokens <file>', 'JSON file of bearer tokens: [{ "token", "namespaces": ["acme/*"], "access": "read"|"write"|"admin" }]')
  .option('--body-limit <bytes>', 'largest request body (413 beyond)', int(1024, 256 * 1024 * 1024), 8 * 1024 * 1024)
  .option('--rate-limit <n>', 'requests per minute per token (429 beyond)', int(1, 1e9), 60_000)
  .option('--cors <origin...>', 'origins allowed to call from a browser (CORS is off by default)')
  .option('--log-level <level>', 'pino level: fatal, error, warn, info, debug', 'info')
  .option(
    '--drain-timeout-ms <ms>',
    'on SIGTERM/SIGINT, the longest the shutdown takes (requests in flight are cut, then the process exits)',
    int(100, 3_600_000),
    10_000,
  )
  .option('--config <file>', 'JSON file of store policies: conversations, cache, embedder, namespaces (overrides by pattern), …')
  .option('--print-config', 'print the effective settings (defaults filled in, no secrets) as JSON and exit')
  .addHelpText(
    'after',
    `
Examples:
  memex serve --path ./memex.db
  memex serve --path ./memex.db --config ./memex.config.json
  memex serve --url postgres://memex:memex@db:5432/memex --host 0.0.0.0 --tokens ./tokens.json
  curl -s localhost:7077/v1/kv/set -H 'content-type: application/json' -d '{"ns":"demo","key":"k","value":1}'`,
  )
  .action(async (opts: ServeOptions) => {
    if (opts.url !== undefined && opts.path !== './memex.db') program.error('give --path or --url, not both');
    if (opts.durability !== undefined && opts.durability !== 'full' && opts.durability !== 'normal')
      program.error("--durability must be 'full' or 'normal'");
    if (opts.printConfig) {
      const { settings } = await Promise.resolve()
        .then(() => configOf(opts))
        .catch((e: unknown) => program.error(`memex serve: ${(e as Error).message}`));
      process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
      return;
    }
    const { url } = await serve(opts).catch((e: unknown) => program.error(`memex serve: ${(e as Error).message}`));
    process.stderr.write(`memex serving ${opts.url ? 'PostgreSQL' : opts.path} at ${url} (OpenAPI: ${url}/openapi.json)\n`);
  });

storeFlags(program.command('mcp'), true)
  .description('speak the Model Context Protocol over stdio: memory tools (remember, recall, search_memory, kv_get, …) for MCP clients')
  .option('--ns <namespace>', 'the namespace the tools work in', 'default')
  .option('--config <file>', 'JSON file of store policies (as memex serve --config)')
  .addHelpText(
    'after',
    `
Examples:
  memex mcp --path ./memex.db --ns agents
  claude mcp add memex -- npx memex mcp --path /home/me/memex.db`,
  )
  .action(async (opts: McpOptions) => {
    await runMcp(opts).catch((e: unknown) => program.error(`memex mcp: ${(e as Error).message}`));
  });

registerOpsCommands(program);

await program.parseAsync();
