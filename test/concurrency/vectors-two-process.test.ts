/**
 * Issue 4, proof "two processes writing and searching at once see each other's writes": two
 * child processes (test/fixtures/vectors-peer.ts) on one file each upsert their own documents in a
 * loop and report every upsert once it resolved; the parent relays each report to the other
 * process over stdin, which searches for that exact vector and must find that id at rank 1 with
 * score ≈ 1 — with no retry, while both keep writing. Deletion round trip: a "doomed" document is
 * first found by the other process (so its search index holds it), then deleted; once the delete
 * (or deleteWhere) resolved, the other process's search must never return it and get() must not
 * find it.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { openMemex } from '../../src/index.js';
import { rng } from '../../src/util/rng.js';
import { here, spawnScript, watchChild } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';
import type { PeerIn, PeerOut } from '../fixtures/vectors-peer.js';

afterEach(cleanupTemp);

const PEER = here(import.meta.url, '../fixtures/vectors-peer.ts');
const COUNT = 50;
const DOOMED = COUNT / 5;

describe('vectors: two processes writing and searching one file at once', () => {
  // 0: small collections (exact scan); 2500 preloaded documents: past the size where the derived
  // index keeps an approximate graph, which then has to take the other process's writes too.
  it.each([0, 2500])(
    `each finds the other's ${COUNT} + ${DOOMED} upserts at rank 1 right after they resolve, and never a deleted one (%i documents preloaded)`,
    async (preload) => {
      const path = tempDbPath('vectors-two.db');
      // Create the file first so the two peers do not race to create the schema.
      const setup = await openMemex({ path });
      const r = rng(preload + 7);
      for (let i = 0; i < preload; i += 500) {
        await setup.vectors.upsert(
          Array.from({ length: Math.min(500, preload - i) }, (_, j) => ({
            id: `seed-${i + j}`,
            vector: Array.from({ length: 16 }, () => r() * 2 - 1),
            metadata: { owner: 'seed' },
          })),
        );
      }
      await setup.close();

      const names = ['A', 'B'] as const;
      const other = (n: string): 'A' | 'B' => (n === 'A' ? 'B' : 'A');
      const seed = Math.floor(Math.random() * 2 ** 31);
      const children = new Map<string, ChildProcess>(
        names.map((n, i) => [n, spawnScript(PEER, [path, n, String(COUNT), String(seed + i), i === 0 ? 'full' : 'normal'])]),
      );
      const send = (to: string, m: PeerIn) => children.get(to)!.stdin!.write(`${JSON.stringify(m)}\n`);

      const relayedUpserts = new Map<string, { from: string; at: number }>();
      const relayedDeletes = new Map<string, { from: string; how: string; removed: number }>();
      const found: Extract<PeerOut, { t: 'found' }>[] = [];
      const absent: Extract<PeerOut, { t: 'absent' }>[] = [];
      const roundTripMs: number[] = [];
      const done = new Set<string>();
      const protocol: string[] = [];
      let exitSent = false;

      const maybeFinish = () => {
        if (exitSent || done.size < 2 || found.length < relayedUpserts.size || absent.length < relayedDeletes.size) return;
        exitSent = true;
        for (const n of names) send(n, { t: 'exit' });
      };

      const onLine = (line: string) => {
        const m = JSON.parse(line) as PeerOut;
        if (m.t === 'upserted') {
          relayedUpserts.set(m.id, { from: m.from, at: performance.now() });
          send(other(m.from), { t: 'upserted', id: m.id, v: m.v, from: m.from });
        } else if (m.t === 'deleted') {
          relayedDeletes.set(m.id, { from: m.from, how: m.how, removed: m.removed });
          send(other(m.from), { t: 'deleted', id: m.id, v: m.v, from: m.from });
        } else if (m.t === 'found') {
          found.push(m);
          const r = relayedUpserts.get(m.id);
          if (!r || r.from === m.from) protocol.push(`unexpected answer ${line}`);
          else {
            roundTripMs.push(performance.now() - r.at);
            // Lets the owner of a doomed document go on and delete it.
            send(r.from, { t: 'seen', id: m.id });
          }
        } else if (m.t === 'absent') {
          absent.push(m);
        } else if (m.t === 'done') {
          done.add(m.from);
        }
        maybeFinish();
      };

      // A peer that fails would leave the other waiting for a 'seen' forever: stop both at once.
      const exits = await Promise.all(
        names.map((n) =>
          watchChild(children.get(n)!, onLine).then((e) => {
            if (e.code !== 0) for (const c of children.values()) c.kill('SIGKILL');
            return e;
          }),
        ),
      );
      expect(
        exits.flatMap((e, i) => (e.code === 0 ? [] : [`peer ${names[i]} (seed ${seed + i}) exited with ${e.code ?? e.signal}: ${e.stderr}`])),
      ).toEqual([]);
      expect(protocol).toEqual([]);

      // Every upsert of each process was relayed and answered by the other.
      for (const n of names) {
        expect([...relayedUpserts.values()].filter((r) => r.from === n)).toHaveLength(COUNT + DOOMED);
        expect(found.filter((f) => f.from === other(n))).toHaveLength(COUNT + DOOMED);
      }
      const misses = found.filter(
        (f) =>
          f.top[0]?.[0] !== f.id || Math.abs(f.top[0][1] - 1) > 1e-6 || f.topFiltered[0]?.[0] !== f.id || Math.abs(f.topFiltered[0][1] - 1) > 1e-6,
      );
      expect(misses.map((f) => `${f.from} searching for ${f.id}: top ${JSON.stringify(f.top)}, filtered ${JSON.stringify(f.topFiltered)}`)).toEqual(
        [],
      );

      // Every deletion resolved in one process is invisible to the other's next search.
      expect(relayedDeletes.size).toBe(2 * DOOMED);
      for (const [id, d] of relayedDeletes) expect(d.removed, `${d.from} ${d.how} ${id}`).toBe(1);
      expect(absent).toHaveLength(2 * DOOMED);
      const resurrected = absent.filter((a) => a.top.includes(a.id) || a.topFiltered.includes(a.id) || a.get || a.count !== 0);
      expect(resurrected.map((a) => `${a.from} still sees deleted ${a.id} (${relayedDeletes.get(a.id)?.how}): ${JSON.stringify(a)}`)).toEqual([]);

      // And the file holds exactly what both acknowledged.
      const mx = await openMemex({ path });
      try {
        expect(await mx.vectors.count()).toBe(2 * COUNT + preload);
        expect(await mx.vectors.count({ owner: 'A' })).toBe(COUNT);
        expect(await mx.vectors.count({ doomedId: { $exists: true } })).toBe(0);
      } finally {
        await mx.close();
      }
      // The two write loops really ran at the same time.
      const span = (n: string) => {
        const ts = [...relayedUpserts.values()].filter((r) => r.from === n).map((r) => r.at);
        return [Math.min(...ts), Math.max(...ts)] as const;
      };
      const [a0, a1] = span('A');
      const [b0, b1] = span('B');
      expect(Math.max(a0, b0)).toBeLessThan(Math.min(a1, b1));
      roundTripMs.sort((a, b) => a - b);
      console.log(
        `two-process vectors (${preload} preloaded): ${found.length} upsert round trips (${absent.length} deletion round trips); ` +
          `relay -> found median ${roundTripMs[roundTripMs.length >> 1]?.toFixed(1)} ms, max ${roundTripMs.at(-1)?.toFixed(1)} ms; ` +
          `write loops overlapped ${(Math.min(a1, b1) - Math.max(a0, b0)).toFixed(0)} ms (A ${(a1 - a0).toFixed(0)} ms, B ${(b1 - b0).toFixed(0)} ms)`,
      );
    },
  );
});
