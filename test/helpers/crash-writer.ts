import { copyFileSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { emitLine } from './emit-line.js';
import { spawnScript } from './spawn.js';

/**
 * Where a crash loop aims its kill: `startup` lands between the writer announcing that it opens the
 * store and (most of the time) its first acknowledged write — inside the open, its WAL recovery or
 * its index load; `running` lands 30-300 ms after the first acknowledged write.
 */
export type KillPlan = 'startup' | 'running';

/**
 * How far the writer got before it died, read from its stdout after it is gone (never from the
 * plan): `spawned` printed nothing, `opening` announced the open but never finished it, `opened`
 * finished it without an acknowledged write, `acked` acknowledged at least one.
 */
export type Reached = 'spawned' | 'opening' | 'opened' | 'acked';

/** Announces the writer's startup steps to the parent (see {@link runWriterUntilKilled}). */
export const announce = (stage: 'opening' | 'opened'): void => emitLine({ stage });

export type WriterRun =
  | {
      readonly outcome: 'killed';
      readonly plan: KillPlan;
      /** Ms after the first acknowledgement (`running`) or after the 'opening' line (`startup`). */
      readonly killDelayMs: number;
      readonly reached: Reached;
      /** The writer printed other lines before announcing its open was done (see `stderr`). */
      readonly outOfOrder: boolean;
      readonly exit: { code: number | null; signal: NodeJS.Signals | null };
      readonly stderr: string;
    }
  | { readonly outcome: 'no-ack'; readonly reason: 'exit' | 'timeout' | 'stalled'; readonly stderr: string };

/**
 * What one loop learned about how long its writer takes to open (the 'opening' to 'opened' lines),
 * so startup kills are drawn over a window the open really takes on this machine.
 */
export class OpenTimes {
  private readonly seen: number[] = [];

  note(ms: number): void {
    this.seen.push(ms);
    if (this.seen.length > 9) this.seen.shift();
  }

  /** The median open seen so far (50 ms before any). */
  typicalMs(): number {
    if (this.seen.length === 0) return 50;
    const s = [...this.seen].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  }
}

/**
 * The crash loops' schedule: a quarter of the kills aim at startup, at fixed iterations (one even
 * and one odd of every eight, so both durabilities of a loop that alternates them get some), so
 * that every run has them: drawn at random, 20 kills had none once in 300 runs.
 */
export const planFor = (iteration: number): KillPlan => (iteration % 8 === 3 || iteration % 8 === 6 ? 'startup' : 'running');

export interface KillOptions {
  /** Where the kill aims (default `running`: after the first acknowledgement); see {@link planFor}. */
  readonly plan?: KillPlan;
  readonly openTimes?: OpenTimes;
  /**
   * A `running` kill waits, past its drawn delay, until the writer has acknowledged this many writes
   * (default 1): a loaded machine may starve a writer for a whole short window, and a writer that
   * stalls for `startTimeoutMs` is reported as `no-ack` ('stalled') rather than killed idle.
   */
  readonly minAcks?: number;
  readonly startTimeoutMs?: number;
}

/**
 * The crash loops' step: starts a writer script, hands each stdout line other than the startup
 * announcements to `onLine` (which says whether it was an acknowledgement), and SIGKILLs the writer
 * as `opts.plan` says: during startup (a random point of the typical open, counted
 * from the 'opening' line), or 30-300 ms after the first acknowledgement (and not before
 * `minAcks`). Resolves after the writer is gone and all its lines were read, with how far it got. A
 * `running` writer that exits, or acknowledges nothing (or fewer than `minAcks`) within
 * `startTimeoutMs` of its start, is killed and reported as `no-ack`.
 */
export async function runWriterUntilKilled(
  script: string,
  args: string[],
  onLine: (line: string) => unknown,
  rng: () => number,
  opts: KillOptions = {},
): Promise<WriterRun> {
  const plan: KillPlan = opts.plan ?? 'running';
  const openTimes = opts.openTimes ?? new OpenTimes();
  const child = spawnScript(script, args);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  if (!child.stdout) throw new Error('writer has no stdout');
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  let reached: Reached = 'spawned';
  let outOfOrder = false;
  let openingAt = 0;
  let onOpening: () => void = () => {};
  const opening = new Promise<'opening'>((r) => (onOpening = () => r('opening')));
  let acks = 0;
  const minAcks = opts.minAcks ?? 1;
  let onAcks: (() => void) | undefined;
  let onFirstAck: () => void = () => {};
  const firstAck = new Promise<'ack'>((r) => (onFirstAck = () => r('ack')));
  rl.on('line', (line) => {
    if (line === '{"stage":"opening"}') {
      reached = 'opening';
      openingAt = performance.now();
      onOpening();
    } else if (line === '{"stage":"opened"}') {
      reached = 'opened';
      openTimes.note(performance.now() - openingAt);
    } else if (reached !== 'opened' && reached !== 'acked') {
      // A writer announces its open before it writes: anything else first is a protocol error.
      stderr += `stdout line before the writer announced its open was done: ${line.slice(0, 200)}\n`;
      outOfOrder = true;
      onLine(line);
    } else if (onLine(line) === 'ack') {
      reached = 'acked';
      acks++;
      onFirstAck();
      if (acks >= minAcks) onAcks?.();
    }
  });
  const linesDone = new Promise<void>((r) => rl.once('close', () => r()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('close', (code, signal) => r({ code, signal })),
  );

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), opts.startTimeoutMs ?? 30_000)));
  const first = await Promise.race([plan === 'startup' ? opening : firstAck, exited.then(() => 'exit' as const), timedOut]);
  if (first !== 'ack' && first !== 'opening') {
    clearTimeout(timer);
    child.kill('SIGKILL');
    await exited;
    return { outcome: 'no-ack', reason: first, stderr };
  }
  const killDelayMs = first === 'opening' ? Math.floor(rng() * openTimes.typicalMs()) : 30 + Math.floor(rng() * 271);
  await new Promise<void>((r) => setTimeout(r, killDelayMs));
  if (first === 'ack' && acks < minAcks) {
    const enough = new Promise<'enough'>((r) => (onAcks = () => r('enough')));
    const got = await Promise.race([enough, exited.then(() => 'exit' as const), timedOut]);
    if (got !== 'enough') {
      clearTimeout(timer);
      child.kill('SIGKILL');
      await exited;
      return { outcome: 'no-ack', reason: got === 'exit' ? 'exit' : 'stalled', stderr };
    }
  }
  clearTimeout(timer);
  child.kill('SIGKILL');
  const exit = await exited;
  await linesDone;
  return { outcome: 'killed', plan, killDelayMs, reached, outOfOrder, exit, stderr };
}

/**
 * Copies a database and its WAL beside it (`check-copy.db`), so checking it cannot change the
 * original. A writer killed before it created the file leaves nothing to copy (nor a copy).
 */
export function copyForCheck(dbPath: string): string {
  const checkPath = join(dirname(dbPath), 'check-copy.db');
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(checkPath + suffix, { force: true });
  if (!existsSync(dbPath)) return checkPath;
  copyFileSync(dbPath, checkPath);
  if (existsSync(`${dbPath}-wal`)) copyFileSync(`${dbPath}-wal`, `${checkPath}-wal`);
  return checkPath;
}
