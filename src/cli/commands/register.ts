import type { Command } from 'commander';
import { int, runCommand, storeFlags } from '../flags.js';
import { backup, restore } from './backup.js';
import { check } from './check.js';
import type { CheckFlags } from './check-db.js';
import { exportCommand } from './export.js';
import { registerImport } from './register-import.js';
import { get, list, out, search, set, stats, sweep, type LookFlags } from './look.js';

const examples = (...lines: string[]) => `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`;

/** Quick looks, backup and restore: commands that open a store, do one thing and close it. */
export function registerOpsCommands(program: Command): void {
  const cmd = (name: string, description: string) =>
    storeFlags(program.command(name), true)
      .description(description)
      .option('--ns <namespace>', 'the namespace', 'default')
      .option('--json', 'machine-readable output (nothing else on stdout)');

  cmd('stats', 'records per store, the change feed position and every health check (exit 1 when health is not ok)')
    .addHelpText('after', examples('memex stats --path ./memex.db', 'memex stats --url postgres://memex:memex@db:5432/memex --json'))
    .action((o: LookFlags) => runCommand('stats', () => stats(o)));

  cmd('get', 'print the value of a kv key (exit 1 when absent)')
    .argument('<key>')
    .addHelpText('after', examples('memex get session:42 --ns agents', 'memex get cart --json'))
    .action((key: string, o: LookFlags) => runCommand('get', () => get(key, o)));

  cmd('set', 'write a kv key; the value is JSON')
    .argument('<key>')
    .argument('<json>', 'the value as JSON (text needs quotes: \'"hello"\')')
    .option('--ttl <ms>', 'expire after this many ms', int(1, Number.MAX_SAFE_INTEGER))
    .option('--if-version <n>', 'compare-and-set: only if the current version is n (0 = only if absent)', int(0, Number.MAX_SAFE_INTEGER))
    .addHelpText('after', examples(`memex set greeting '"hello"'`, `memex set limits '{"rpm": 60}' --ttl 60000 --ns agents`))
    .action((key: string, json: string, o: LookFlags & { ttl?: number; ifVersion?: number }) => runCommand('set', () => set(key, json, o)));

  cmd('list', 'one page of kv keys in order, with versions and the start of each value')
    .option('--prefix <text>', 'only keys starting with this')
    .option('--limit <n>', 'page size', int(1, 1000), 100)
    .option('--cursor <cursor>', 'the cursor a previous page printed')
    .addHelpText('after', examples('memex list --prefix user: --limit 20', 'memex list --json | jq .items[].key'))
    .action((o: LookFlags & { prefix?: string; limit?: number; cursor?: string }) => runCommand('list', () => list(o)));

  cmd('search', 'semantic search of vectors (memories), best first')
    .argument('<text>')
    .option('--top-k <n>', 'how many', int(1, 1000), 10)
    .option('--filter <json>', 'a metadata filter, e.g. \'{"userId":"u42"}\'')
    .addHelpText('after', examples('memex search \'favourite language\' --filter \'{"userId":"u42"}\''))
    .action((text: string, o: LookFlags & { topK?: number; filter?: string }) => runCommand('search', () => search(text, o)));

  cmd('sweep', 'purge expired records and threads now (stores also do it as they go)')
    .addHelpText('after', examples('memex sweep --path ./memex.db'))
    .action((o: LookFlags) => runCommand('sweep', () => sweep(o)));

  cmd('check', 'integrity of the storage, every record against the change feed, each saved vector index against its records (exit 1 on a problem)')
    .option('--repair', 'rebuild a saved vector index that disagrees with its records')
    .option('--max-events <n>', "the store's events.maxEvents, if not the default (events older are gone by design)", int(1, 1e9))
    .option('--index-dir <dir>', "PostgreSQL: the store's indexDir, to check the vector index saved there")
    .addHelpText(
      'after',
      examples(
        'memex check --path ./memex.db',
        'memex check --repair --json',
        'memex check --url postgres://memex:memex@db:5432/memex --index-dir /var/lib/memex',
      ),
    )
    .action((o: CheckFlags) =>
      runCommand('check', async () => {
        const findings = await check(o);
        const ok = findings.every((f) => !f.problem);
        const text = findings.map((f) => `${f.problem ? 'BAD' : 'ok '} ${f.check}${f.ns ? ` (${f.ns})` : ''}: ${f.detail}`).join('\n');
        out(o, { ok, findings }, text);
        return ok ? 0 : 1;
      }),
    );

  storeFlags(program.command('export'), false)
    .description('write every record (all stores, all namespaces, vectors included) as NDJSON, one record a line, streamed')
    .option('--ns <namespace>', 'only this namespace')
    .option('--store <name>', 'only this store: kv, conversations, cache, profiles, sites, vectors, locks…')
    .option('--out <file>', 'write to this new file instead of stdout')
    .addHelpText(
      'after',
      examples('memex export --path ./memex.db > memex.ndjson', 'memex export --url postgres://memex:memex@db:5432/memex --store kv --out kv.ndjson'),
    )
    .action((o: LookFlags & { out?: string; store?: string }) => runCommand('export', async () => void (await exportCommand(o))));

  cmd('backup', 'copy a SQLite store while it is in use (consistent), then check the copy; PostgreSQL: use export')
    .argument('<file>', 'the new backup file (must not exist)')
    .addHelpText('after', examples('memex backup ./backups/memex-2026-12-02.db --path ./memex.db'))
    .action((file: string, o: LookFlags) => runCommand('backup', () => backup(file, o)));

  cmd('restore', 'replace a SQLite store with a checked backup; refuses a store another process has open')
    .argument('<backup>', 'the backup file')
    .addHelpText('after', examples('memex restore ./backups/memex-2026-12-02.db --path ./memex.db'))
    .action((file: string, o: LookFlags) => runCommand('restore', async () => restore(file, o)));

  registerImport(program);
}
