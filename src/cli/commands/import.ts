import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ValidationError } from '../../errors.js';
import { progress } from '../progress.js';
import { openEngine } from './export.js';
import { parseLine, type ImportLine } from './import-line.js';
import { importBatch, type BatchResult, type OnConflict } from './import-records.js';
import type { LookFlags } from './look.js';

export interface ImportFlags extends LookFlags {
  onConflict: OnConflict;
  batch: number;
  /** Lines already imported by an interrupted run (the position it reported). */
  resumeAt: number;
}

export interface ImportReport extends BatchResult {
  /** Lines read, including those skipped by `--resume-at`. */
  lines: number;
  batches: number;
  /** Lines of another namespace than `--ns`, left out. */
  outside: number;
}

/**
 * `memex import FILE` of a `memex export`: batches of `--batch` lines, each one transaction (all
 * or nothing). After each commit the position is reported on stderr; an interrupted import is
 * resumed with `--resume-at` that position (and since an unchanged record is left as it is,
 * starting again from the beginning gives the same result too).
 */
export async function importExport(file: string, o: ImportFlags): Promise<ImportReport> {
  const engine = await openEngine(o, true);
  const report: ImportReport = { lines: 0, batches: 0, imported: 0, replaced: 0, unchanged: 0, skipped: 0, dropped: 0, outside: 0 };
  const input = file === '-' ? process.stdin : createReadStream(file);
  const bar = progress('import', file === '-' ? 0 : statSync(file).size, 'bytes');
  let batch: ImportLine[] = [];
  const commit = async () => {
    const r = await importBatch(engine, batch, o.onConflict);
    for (const k of ['imported', 'replaced', 'unchanged', 'skipped', 'dropped'] as const) report[k] += r[k];
    report.batches++;
    batch = [];
    // Printed only once the batch is durable: resuming there loses nothing and repeats nothing.
    if (!process.stderr.isTTY) process.stderr.write(`memex import: position ${report.lines} (committed; resume with --resume-at ${report.lines})\n`);
  };
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      report.lines++;
      bar.tick(Buffer.byteLength(text) + 1);
      if (report.lines <= o.resumeAt || text.trim() === '') continue;
      const line = parseLine(text, report.lines);
      if (o.ns !== undefined && line.ns !== o.ns) {
        report.outside++;
        continue;
      }
      batch.push(line);
      if (batch.length >= o.batch) await commit();
    }
    if (batch.length > 0) await commit();
    if (report.lines < o.resumeAt) throw new ValidationError('--resume-at', `is ${o.resumeAt}, but the file has only ${report.lines} lines`);
  } finally {
    bar.stop();
    input.destroy();
    await engine.close();
  }
  return report;
}
