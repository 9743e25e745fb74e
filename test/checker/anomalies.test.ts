// The list-append checker on hand-written histories, one per anomaly it must name: each is found
// with the right name and its cycle or values shown, and a serial history is found clean.
import { describe, expect, it } from 'vitest';
import { checkListAppend, formatReport } from '../../src/testing/index.js';
import { history, overlapping } from './synthetic.js';

describe('list-append checker: histories with one known anomaly', () => {
  it('a serial history (and an unknown transaction whose write is seen) is strict serializable', () => {
    const r = checkListAppend(
      history(
        [
          { mops: [['append', 'x', 1]] },
          {
            mops: [
              ['r', 'x', [1]],
              ['append', 'y', 2],
            ],
          },
          { mops: [['append', 'x', 3]], outcome: 'info' },
          {
            mops: [
              ['r', 'x', [1, 3]],
              ['r', 'y', [2]],
              ['append', 'x', 4],
              ['r', 'x', [1, 3, 4]],
            ],
          },
          { mops: [['append', 'y', 5]], outcome: 'fail' },
        ],
        { x: [1, 3, 4], y: [2] },
      ),
    );
    expect(r.counts, formatReport(r)).toEqual({});
    expect(r.strictSerializable).toBe(true);
    expect(r.stats).toMatchObject({ txns: 5, ok: 3, fail: 1, info: 1, reads: 4, readValues: 7, appends: 5, keys: 2 });
  });

  it('G0: two transactions append to x and y in opposite orders', () => {
    const r = checkListAppend(
      history(
        [
          overlapping([
            ['append', 'x', 1],
            ['append', 'y', 1],
          ]),
          overlapping([
            ['append', 'x', 2],
            ['append', 'y', 2],
          ]),
        ],
        { x: [1, 2], y: [2, 1] },
      ),
    );
    expect(r.counts).toEqual({ G0: 1 });
    expect(r.serializable).toBe(false);
    const g0 = r.anomalies.find((a) => a.name === 'G0')!;
    expect(g0.cycle!.map((s) => s.type)).toEqual(['ww', 'ww']);
    expect(formatReport(r)).toContain('T0 appended 1 to x; T1 appended 2 right after it');
  });

  it('G1a: a read sees the append of a transaction that failed', () => {
    const r = checkListAppend(history([{ mops: [['append', 'x', 1]], outcome: 'fail' }, { mops: [['r', 'x', [1]]] }], { x: [] }));
    expect(r.counts).toMatchObject({ G1a: 1 });
    expect(r.anomalies[0]!.explanation).toContain('appended by T0, which failed');
  });

  it('G1b: a read sees the first of two appends one transaction made to a key', () => {
    const r = checkListAppend(
      history(
        [
          overlapping([
            ['append', 'x', 1],
            ['append', 'x', 2],
          ]),
          overlapping([['r', 'x', [1]]]),
        ],
        { x: [1, 2] },
      ),
    );
    expect(r.counts).toMatchObject({ G1b: 1 });
    expect(r.serializable).toBe(false);
  });

  it('G1c: each of two transactions reads the other one’s append', () => {
    const r = checkListAppend(
      history(
        [
          overlapping([
            ['append', 'x', 1],
            ['r', 'y', [2]],
          ]),
          overlapping([
            ['append', 'y', 2],
            ['r', 'x', [1]],
          ]),
        ],
        { x: [1], y: [2] },
      ),
    );
    expect(r.counts).toEqual({ G1c: 1 });
    expect(r.anomalies[0]!.cycle!.map((s) => s.type)).toEqual(['wr', 'wr']);
  });

  it('G-single: a reader sees one of two appends of one transaction (read skew)', () => {
    const r = checkListAppend(
      history(
        [
          overlapping([
            ['append', 'x', 1],
            ['append', 'y', 1],
          ]),
          overlapping([
            ['r', 'x', [1]],
            ['r', 'y', []],
          ]),
        ],
        { x: [1], y: [1] },
      ),
    );
    expect(r.counts).toEqual({ 'G-single': 1 });
    const text = formatReport(r);
    expect(text).toContain('T1 read y = [], without 1, which T0 appended next');
    expect(text).toContain('T1 read x = [1], which ends with T0’s append of 1'.replace('’', "'"));
  });

  it('G2: write skew — each reads the key the other appends to, before it does', () => {
    const r = checkListAppend(
      history(
        [
          overlapping([
            ['r', 'x', []],
            ['append', 'y', 1],
          ]),
          overlapping([
            ['r', 'y', []],
            ['append', 'x', 2],
          ]),
        ],
        { x: [2], y: [1] },
      ),
    );
    expect(r.counts).toEqual({ G2: 1 });
    expect(r.anomalies[0]!.cycle!.map((s) => s.type)).toEqual(['rw', 'rw']);
  });

  it('G-single-realtime: a stale read, begun after the append was acknowledged — serializable, not strict', () => {
    const r = checkListAppend(
      history(
        [
          { mops: [['append', 'x', 1]], start: 0, end: 10 },
          { mops: [['r', 'x', []]], start: 20, end: 30 },
        ],
        { x: [1] },
      ),
    );
    expect(r.counts).toEqual({ 'G-single-realtime': 1 });
    expect(r.serializable).toBe(true);
    expect(r.strictSerializable).toBe(false);
    expect(r.anomalies[0]!.cycle!.map((s) => s.type).sort()).toEqual(['rt', 'rw']);
    // Without real time, the same history is fine.
    expect(checkListAppend(history([{ mops: [['append', 'x', 1]] }, { mops: [['r', 'x', []]] }], { x: [1] }), { realtime: false }).counts).toEqual(
      {},
    );
  });

  it('G0-realtime: appends ordered against real time', () => {
    const r = checkListAppend(
      history(
        [
          { mops: [['append', 'x', 1]], start: 0, end: 10 },
          { mops: [['append', 'x', 2]], start: 20, end: 30 },
        ],
        { x: [2, 1] },
      ),
    );
    expect(r.counts).toEqual({ 'G0-realtime': 1 });
  });

  it('lost-append, garbage-read, duplicate-elements, incompatible-order and internal', () => {
    const r = checkListAppend(
      history(
        [
          { mops: [['append', 'x', 1]] },
          { mops: [['r', 'y', [7, 9]]] },
          {
            mops: [
              ['append', 'z', 3],
              ['r', 'z', []],
            ],
          },
          { mops: [['r', 'w', [5, 4]]] },
          { mops: [['append', 'w', 4]] },
          { mops: [['append', 'w', 5]] },
          { mops: [['append', 'y', 9]] },
        ],
        { x: [], y: [9, 9], z: [3], w: [4, 5] },
      ),
    );
    expect(r.counts).toMatchObject({ 'lost-append': 1, 'garbage-read': 1, 'duplicate-elements': 1, 'incompatible-order': 2, internal: 1 });
    const text = formatReport(r);
    expect(text).toContain('the acknowledged append of 1 to x is not in its final list');
    expect(text).toContain('T1 read y holds 7, which nobody appended');
    expect(text).toContain('the final list of y holds 9 twice');
    expect(text).toContain('T3 read w = [5 4], not a prefix of its final list [4 5]');
    expect(text).toContain('T2 read z = [] after appending [3]');
  });

  it('a write cycle through 20,000 transactions is found and shown whole (nothing recursive to overflow)', () => {
    const n = 20_000;
    // T<i> appends 2i to k<i> and 2i+1 to k<i-1>: k<i> = [2i, 2(i+1)+1], so T<i> -ww-> T<i+1>, around.
    const txns = Array.from({ length: n }, (_, i) =>
      overlapping([
        ['append', `k${i}`, 2 * i],
        ['append', `k${(i + n - 1) % n}`, 2 * i + 1],
      ]),
    );
    const final = Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, [2 * i, 2 * ((i + 1) % n) + 1]]));
    const r = checkListAppend(history(txns, final));
    expect(r.counts).toEqual({ G0: 1 });
    expect(r.anomalies[0]!.cycle).toHaveLength(n);
  });
});
