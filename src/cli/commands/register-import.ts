import { Option, type Command } from 'commander';
import { importMcpMemory } from '../import-mcp.js';
import { int, runCommand, storeFlags } from '../flags.js';
import { importExport, type ImportFlags } from './import.js';
import { importSessionJson, importSiteMemory } from './import-json.js';
import { out } from './look.js';

const FORMATS = ['memex', 'session-json', 'site-memory', 'mcp-memory'] as const;
type Format = (typeof FORMATS)[number];

/** `memex import`: a `memex export` (the default format), or what the systems Memex replaces leave behind. */
export function registerImport(program: Command): void {
  storeFlags(program.command('import'), true)
    .description('import a memex export (NDJSON), a session-state JSON object, a site-memory JSON file, or an MCP memory.jsonl')
    .argument('<file>', 'the file to import (- for stdin)')
    .addOption(new Option('--from <format>', 'the format of the file').choices(FORMATS).default('memex'))
    .addOption(
      new Option('--on-conflict <what>', 'a key the store holds with another value: keep it, replace it, or stop')
        .choices(['skip', 'replace', 'fail'])
        .default('skip'),
    )
    .option('--ns <namespace>', 'memex: only this namespace; the other formats: the namespace to import into')
    .option('--batch <n>', 'memex: lines per transaction (all or nothing)', int(1, 100_000), 1000)
    .option('--resume-at <position>', 'memex: skip the lines an interrupted import reported as committed', int(0, Number.MAX_SAFE_INTEGER), 0)
    .option('--json', 'print the counts as JSON (nothing else on stdout)')
    .addHelpText(
      'after',
      `
Examples:
  memex export --path ./memex.db | memex import - --url postgres://memex:memex@db:5432/memex
  memex import memex.ndjson --path ./copy.db --on-conflict replace
  memex import memex.ndjson --path ./copy.db --resume-at 42000      # after an interrupted import
  memex import --from session-json ./session.json --ns agent-7
  memex import --from site-memory ./sites.json --ns browser
  memex import --from mcp-memory ~/.memory.jsonl --ns agents`,
    )
    .action((file: string, o: ImportFlags & { from: Format }) =>
      runCommand('import', async () => {
        const r = await run(file, o);
        const counts = Object.entries(r)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ');
        out(o, r, `imported: ${counts}`);
      }),
    );
}

function run(file: string, o: ImportFlags & { from: Format }): Promise<object> {
  const into = { ...o, ns: o.ns ?? 'default' };
  switch (o.from) {
    case 'memex':
      return importExport(file, o);
    case 'session-json':
      return importSessionJson(file, into);
    case 'site-memory':
      return importSiteMemory(file, into);
    case 'mcp-memory':
      return importMcpMemory(file, into);
  }
}
