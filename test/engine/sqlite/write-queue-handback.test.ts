// The write queue's rule for a writer the kernel wakes on the gate: the kernel wakes every waiter
// and the first to run wins, so a winner that finds an older waiter on the wait board hands the
// gate straight back instead of writing. Which process the kernel wakes first cannot be chosen
// with real processes, so the gate and the board here are stand-ins the test drives; the real
// gate and board have their own tests (test/concurrency/write-gate.test.ts, wait-board.test.ts).
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../src/engine/sqlite/schema.js';
import { SqliteTx } from '../../../src/engine/sqlite/tx.js';
import type { WaitBoard } from '../../../src/engine/sqlite/wait-board.js';
import type { WriteGate } from '../../../src/engine/sqlite/write-gate.js';
import { WriteQueue } from '../../../src/engine/sqlite/write-queue.js';

/** A gate held elsewhere until `grant()`: enter() waits for it; leave() counts the hand-backs. */
class StandInGate {
  held = false;
  leaves = 0;
  private waiting: (() => void) | undefined;
  get queued(): boolean {
    return this.waiting !== undefined;
  }
  tryEnter(): boolean {
    return this.held;
  }
  enter(): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting = () => {
        this.held = true;
        resolve(true);
      };
    });
  }
  grant(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
  heldMs(): number {
    return 0;
  }
  leave(): void {
    if (!this.held) return;
    this.held = false;
    this.leaves++;
  }
}

/** A board that shows an older waiter while `older` is true. */
const standInBoard = () => ({
  older: false,
  shouldDefer() {
    return this.older;
  },
  poll() {},
  done() {},
});

let db: Database.Database | undefined;
afterEach(() => db?.close());

function queue(gate: StandInGate, board: ReturnType<typeof standInBoard>) {
  db = new Database(':memory:');
  migrate(db, 0);
  return new WriteQueue(db, new SqliteTx(db), {
    lockTimeoutMs: 10_000,
    maxBatch: 64,
    maxEvents: 1000,
    clock: Date.now,
    gate: gate as unknown as WriteGate,
    board: board as unknown as WaitBoard,
  });
}

describe('a writer woken on the write gate', () => {
  it('hands the gate back while an older waiter is on the board, and writes once it is gone', async () => {
    const gate = new StandInGate();
    const board = standInBoard();
    const q = queue(gate, board);
    let settled = false;
    // The callback reports how often the gate had been handed back when it ran.
    const write = q.enqueue(() => gate.leaves).finally(() => (settled = true));
    await expect.poll(() => gate.queued).toBe(true);

    board.older = true; // someone started waiting before this writer did
    gate.grant();
    await expect.poll(() => gate.leaves).toBe(1);
    expect(settled).toBe(false);
    expect(db!.inTransaction).toBe(false);

    board.older = false;
    await expect.poll(() => gate.queued).toBe(true);
    gate.grant();
    expect(await write).toBe(1);
    expect(q.commits).toBe(1);
  });

  it('writes at once when the board shows nobody older', async () => {
    const gate = new StandInGate();
    const q = queue(gate, standInBoard());
    const write = q.enqueue(() => gate.leaves);
    await expect.poll(() => gate.queued).toBe(true);
    gate.grant();
    expect(await write).toBe(0); // it wrote on the first grant
    expect(q.commits).toBe(1);
    await expect.poll(() => gate.leaves).toBe(1); // and left afterwards
  });
});
