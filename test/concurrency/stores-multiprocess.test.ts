// Stores shared by several OS processes on one SQLite file (moved out of the engine-agnostic
// conformance suite: a child process must know how to open the same storage).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { here, runScript, watchChild } from '../helpers/spawn.js';
import { afterEach } from 'vitest';
import { cleanupLocations, locationOptions, newLocation, openAt, SHARED_ENGINES } from '../helpers/location.js';
import { closeAfterEach } from '../helpers/stores.js';

const track = closeAfterEach();
afterEach(cleanupLocations);

describe.each(SHARED_ENGINES)('conversations across processes (%s)', (engine) => {
  it('50 threads x 20 messages appended concurrently from 4 processes leave each thread exactly its newest messages, in order', async () => {
    const path = newLocation(engine);
    await (await openAt(path)).close();
    const fixture = here(import.meta.url, '../fixtures/conv-appender.ts');
    const outs = await Promise.all(Array.from({ length: 4 }, (_, p) => runScript(fixture, [path, String(p), '50', '5', '8'])));
    const acks = outs.map((lines) => JSON.parse(lines.at(-1)!) as Record<string, [number, string][]>);
    const mx = await openAt(path, { conversations: { maxMessagesPerThread: 8 } });
    track(mx);
    for (let t = 0; t < 50; t++) {
      const tid = `thread-${t}`;
      const bySeq = new Map<number, string>();
      for (const a of acks)
        for (const [seq, content] of a[tid]!) {
          expect(bySeq.has(seq), `${tid} seq ${seq} acknowledged twice`).toBe(false);
          bySeq.set(seq, content);
        }
      expect([...bySeq.keys()].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const kept = await mx.conversations.recent(tid, 100);
      expect(kept.map((m) => m.seq)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
      for (const m of kept) expect(m.content).toBe(bySeq.get(m.seq));
      expect(await mx.conversations.get(tid)).toMatchObject({ messageCount: 8, firstSeq: 13, lastSeq: 20 });
    }
  });
});

describe.each(SHARED_ENGINES)('sites across processes (%s)', (engine) => {
  it('4 processes x 50 visits (plus quirks and selector reports) lose no update', async () => {
    const path = newLocation(engine);
    const src = new URL('../../src/index.ts', import.meta.url).href;
    const code = `
      const { openMemex } = await import(${JSON.stringify(src)});
      const [options, id] = process.argv.slice(1);
      const mx = await openMemex(JSON.parse(options));
      const s = mx.sites;
      await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        await s.recordVisit('https://www.multi.example/' + i, { ok: true, durationMs: 10 });
        if (i % 10 === 0) await s.recordQuirk('multi.example', 'quirk from ' + id + ' #' + i);
        await s.reportSelector('multi.example', 'go', true, '#go');
      }));
      await mx.close();
    `;
    const runs = Array.from({ length: 4 }, (_, id) =>
      watchChild(
        spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, JSON.stringify(locationOptions(path)), String(id)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ),
    );
    for (const r of await Promise.all(runs)) expect(r, r.stderr).toMatchObject({ code: 0 });
    const mx = track(await openAt(path));
    const p = await mx.sites.profile('multi.example');
    expect(p).toMatchObject({ visits: 200, okVisits: 200, totalDurationMs: 2000 });
    expect(p?.quirks).toHaveLength(20);
    expect(p?.selectors[0]?.candidates[0]).toMatchObject({ selector: '#go', successes: 200 });
  });
});
