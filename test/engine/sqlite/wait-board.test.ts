// The wait board (fairness for SQLite's queue-less write lock): a connection defers to another
// live waiter that has waited clearly longer, and to nobody else. The "other process" here writes
// its slot of <db>-mxwait directly, in the board's format (64 slots of [waitStart, lastPoll]).
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { WaitBoard, epochNow } from '../../../src/engine/sqlite/wait-board.js';
import { cleanupTemp, tempDbPath } from '../../helpers/tmp.js';

const GRACE = 2;
afterEach(cleanupTemp);

/** Writes slot `slot` as another waiter would (0 / 0 = empty). */
function announce(dbPath: string, slot: number, since: number, lastPoll: number): void {
  const b = Buffer.alloc(16);
  b.writeDoubleLE(since, 0);
  b.writeDoubleLE(lastPoll, 8);
  const fd = openSync(`${dbPath}-mxwait`, 'r+');
  writeSync(fd, b, 0, 16, slot * 16);
  closeSync(fd);
}

const ownSlot = () => (process.pid * 31 + 0) % 64; // threadId 0 on the main thread
const otherSlot = () => (ownSlot() + 1) % 64;

describe('wait board', () => {
  it('defers only to a live waiter that has waited longer than the grace period', () => {
    const path = tempDbPath();
    const board = new WaitBoard(path, GRACE);
    try {
      const now = epochNow();
      expect(board.shouldDefer(now - 5, now), 'an empty board').toBe(false);

      announce(path, otherSlot(), now - 10, now);
      // A board found quiet is not read again for 1 ms (the documented shortcut).
      expect(board.shouldDefer(now - 5, now + 0.5)).toBe(false);
      expect(board.shouldDefer(now - 5, now + 1.5), 'waited 5 ms longer: defer').toBe(true);
      expect(board.shouldDefer(now - 9, now + 1.5), 'waited only 1 ms longer: within the grace').toBe(false);

      announce(path, otherSlot(), now - 10, now - 30);
      expect(board.shouldDefer(now - 5, now + 3), 'a waiter silent for 30 ms is dead or stuck: ignored').toBe(false);
    } finally {
      board.close();
    }
  });

  it('poll announces this connection in its own slot and done withdraws it', () => {
    const path = tempDbPath();
    const board = new WaitBoard(path, GRACE);
    try {
      const since = epochNow() - 7;
      board.poll(since, since + 7);
      const file = readFileSync(`${path}-mxwait`);
      expect(file.length).toBe(64 * 16);
      expect(file.readDoubleLE(ownSlot() * 16)).toBe(since);
      expect(file.readDoubleLE(ownSlot() * 16 + 8)).toBe(since + 7);
      board.done();
      expect(readFileSync(`${path}-mxwait`).readDoubleLE(ownSlot() * 16)).toBe(0);
    } finally {
      board.close();
    }
  });
});
