import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Argument checks shared by the benchmark scripts; every failure prints `help` and exits 2. */
export function cliHelpers(help: string) {
  const usageError = (message: string): never => {
    process.stderr.write(`error: ${message}\n\n${help}`);
    process.exit(2);
  };
  const list = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
  const posInt = (name: string, s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) usageError(`--${name} must be a positive integer, got ${s}`);
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], s: string): T => {
    if (!(allowed as readonly string[]).includes(s)) usageError(`--${name}: unknown value ${s} (expected ${allowed.join(', ')})`);
    return s as T;
  };
  /** Prints `help` and exits when asked to. */
  const exitOnHelp = (asked: boolean | undefined): void => {
    if (!asked) return;
    process.stdout.write(help);
    process.exit(0);
  };
  /** Milliseconds per phase: `--seconds` (a positive number) or, without it, 1 s with `--quick` and 3 s otherwise. */
  const phaseMs = (seconds: string | undefined, quick: boolean | undefined): number => {
    const s = seconds !== undefined ? Number(seconds) : quick ? 1 : 3;
    if (!(s > 0)) usageError('--seconds must be a positive number');
    return Math.round(s * 1000);
  };
  return { usageError, list, posInt, oneOf, exitOnHelp, phaseMs };
}

/** The command line's option values (strict: an unknown or malformed option goes to `usageError`). */
export function parseOptions<const O extends NonNullable<ParseArgsConfig['options']>>(
  options: O,
  usageError: (message: string) => never,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true }>>['values'] {
  try {
    return parseArgs({ args: process.argv.slice(2), options, strict: true }).values;
  } catch (e) {
    return usageError((e as Error).message);
  }
}
