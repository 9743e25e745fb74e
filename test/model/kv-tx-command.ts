/** The kv model's transaction command: a `kv.transaction` of several operations, held to the model. */
import { expect } from 'vitest';
import {
  caught,
  checkKey,
  entryView,
  kvOf,
  live,
  newVersion,
  norm,
  PROVISIONAL_FROM,
  realView,
  touchExpired,
  type Cmd,
  type Model,
  type Ns,
  type Real,
} from './kv-commands.js';

export type TxOp =
  | { t: 'set'; key: string; value: unknown; ttlMs: number | undefined }
  | { t: 'delete'; key: string }
  | { t: 'update'; key: string; value: unknown }
  | { t: 'get'; key: string };

export class TxCmd implements Cmd {
  constructor(
    readonly ns: Ns,
    readonly ops: TxOp[],
    readonly fail: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    // The transaction works on a copy of the model; it replaces the model only if it commits. A
    // callback may run more than once (an engine that reads remotely runs it again after
    // fetching), so each run starts from a fresh copy.
    const copy = (): Model => ({
      now: m.now,
      maxVersion: m.maxVersion,
      data: { ...m.data, [this.ns]: new Map([...m.data[this.ns]].map(([k, v]) => [k, { ...v }])) },
    });
    let work = copy();
    const marker = new Error('abort transaction');
    const p = kvOf(r, this.ns).transaction((tx) => {
      work = copy();
      const data = work.data[this.ns];
      const own = new Set<string>();
      // The remote client's runs before the commit number its own writes provisionally, counting
      // down from 2^53 - 1 (src/client/kv-tx.ts); the run after the commit has the real versions.
      const txVersion = (w: Model, v: number) => (r.h.clientClockInTx && v > PROVISIONAL_FROM ? v : newVersion(w, v));
      for (const op of this.ops) {
        const cur = live(work, this.ns, op.key);
        switch (op.t) {
          case 'get':
            expect(tx.get(op.key)).toEqual(cur?.value);
            expect(tx.has(op.key)).toBe(cur !== undefined);
            break;
          case 'set': {
            const { version } = tx.set(op.key, op.value, op.ttlMs === undefined ? undefined : { ttlMs: op.ttlMs });
            data.set(op.key, {
              value: norm(op.value),
              version: txVersion(work, version),
              updatedAt: work.now,
              expiresAt: op.ttlMs === undefined ? null : work.now + op.ttlMs,
              phys: 'sure',
            });
            break;
          }
          case 'delete':
            expect(tx.delete(op.key)).toBe(cur !== undefined);
            if (cur) data.delete(op.key);
            else touchExpired(work, this.ns, op.key);
            break;
          case 'update': {
            const seen: unknown[] = [];
            const out = tx.update(op.key, (c) => {
              seen.push(c);
              return op.value;
            });
            for (const c of seen) expect(c).toEqual(cur?.value);
            if (op.value === undefined) {
              expect(out).toBeUndefined();
              if (cur) data.delete(op.key);
              else touchExpired(work, this.ns, op.key);
            } else {
              expect(out).toEqual(norm(op.value));
              data.set(op.key, {
                value: norm(op.value),
                version: txVersion(work, tx.getEntry(op.key)?.version ?? 0),
                updatedAt: work.now,
                expiresAt: cur?.expiresAt ?? null,
                phys: 'sure',
              });
            }
            break;
          }
        }
        if (op.t !== 'get') own.add(op.key);
        const after = live(work, this.ns, op.key);
        const e = tx.getEntry(op.key);
        // The remote client stamps its own writes inside a transaction with its own clock (the
        // server stamps them again at the commit, compared after it): their updatedAt is left out.
        const view = <T extends { updatedAt: number }>(x: T | undefined) =>
          x && r.h.clientClockInTx && own.has(op.key) ? { ...x, updatedAt: 0 } : x;
        expect(view(e ? realView(e) : undefined)).toEqual(view(after ? entryView(op.key, after) : undefined));
      }
      if (this.fail) throw marker;
      return 'committed';
    });
    if (this.fail) {
      expect(await caught(p)).toBe(marker);
    } else {
      expect(await p).toBe('committed');
      m.maxVersion = work.maxVersion;
      m.data[this.ns] = work.data[this.ns];
    }
    for (const op of this.ops) await checkKey(m, r, this.ns, op.key);
  }
  toString = () => `transaction(${this.ns}, ${JSON.stringify(this.ops)}, fail=${this.fail})`;
}
