import type { DemoOptions, DemoReport } from './demo.js';

/** Renders a demo report for people. */
export function formatDemo(o: DemoOptions, r: DemoReport): string {
  const out: string[] = [];
  const durability = o.url === undefined ? `, durability '${o.durability}'` : ', PostgreSQL';
  out.push(`Memex demo: ${o.processes} processes x ${o.workers} worker threads x ${o.callers} async callers, ${o.seconds}s${durability}`);
  out.push(`database: ${r.path}`, '');
  out.push('No lost updates (expected = acknowledged operations, actual = stored):');
  for (const c of r.checks) out.push(`  ${c.expected === c.actual ? 'ok  ' : 'LOST'} ${c.name}: expected ${c.expected}, actual ${c.actual}`);
  out.push('', 'Throughput per process:');
  for (const p of r.processes) out.push(`  pid ${p.pid}: ${p.ops} ops, ${p.opsPerSec} ops/s, ${p.timeouts} lock timeouts`);
  const l = r.lock;
  out.push('', `Group commit: ${r.writes} writes in ${r.commits} transactions (${(r.writes / Math.max(1, r.commits)).toFixed(1)} per commit)`);
  out.push(
    `Lock: ${l.waits} waits, total ${l.totalWaitMs.toFixed(0)} ms, max ${l.maxWaitMs.toFixed(1)} ms, ${l.timeouts} timeouts, ${l.busyRetries} busy retries`,
  );
  out.push(
    `Conflicts: ${r.stats.conflicts}; records: ${JSON.stringify(Object.fromEntries(Object.entries(r.stats.stores).map(([k, v]) => [k, v.records])))}`,
  );
  out.push('', r.ok ? 'RESULT: ok — every acknowledged update is in the store.' : 'RESULT: FAILED — updates were lost.');
  return out.join('\n');
}
