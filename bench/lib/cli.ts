/** Argument checks shared by the benchmark scripts; every failure prints `help` and exits 2. */
export function cliHelpers(help: string) {
  const usageError = (message: string): never => {
    process.stderr.write(`error: ${message}\n\n${help}`);
    process.exit(2);
  };
  const list = (s: string) => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);
  const posInt = (name: string, s: string): number => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0) usageError(`--${name} must be a positive integer, got ${s}`);
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], s: string): T => {
    if (!(allowed as readonly string[]).includes(s)) usageError(`--${name}: unknown value ${s} (expected ${allowed.join(', ')})`);
    return s as T;
  };
  return { usageError, list, posInt, oneOf };
}
