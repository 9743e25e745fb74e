import { Presets, SingleBar } from 'cli-progress';

/** Progress of long work: a bar on stderr when it is a terminal, nothing otherwise (pipes, CI, --json readers). */
export interface Progress {
  tick(n?: number): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => {}, stop: () => {} };

/** Starts a bar for `total` `unit`s of `label` work (cli-progress), or a silent one off a terminal. */
export function progress(label: string, total: number, unit = 'records'): Progress {
  if (!process.stderr.isTTY || total <= 0) return SILENT;
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% {value}/{total} ${unit}`, stream: process.stderr, hideCursor: true, etaBuffer: 50 },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
}
