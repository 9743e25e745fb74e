import { InvalidArgumentError, type Command } from 'commander';

/** A commander parser for an integer option within bounds. */
export const int = (min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
  return n;
};

/** `--path`, `--url`, `--schema` and (`remote`) `--token`: how every command that opens a store names it. */
export function storeFlags(cmd: Command, remote: boolean): Command {
  cmd
    .option('--path <file>', 'database file', './memex.db')
    .option(
      '--url <url>',
      remote
        ? 'a PostgreSQL store (postgres://…) or a memex server (http://…) instead'
        : 'a PostgreSQL store instead: postgres://user:pass@host:5432/db',
    )
    .option('--schema <name>', 'the PostgreSQL schema (with a postgres:// --url)');
  return remote ? cmd.option('--token <token>', 'bearer token (with an http:// --url)') : cmd;
}

/**
 * Runs a command's work: output on stdout, and any failure as one line on stderr with exit
 * code 1 (a MemexError's own message names the field and the reason).
 */
export async function runCommand(name: string, work: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await work()) ?? 0;
  } catch (e) {
    process.stderr.write(`memex ${name}: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
