// Compiled LangGraph graphs on MemexSaver across processes (test/fixtures/langgraph-graph-node.ts),
// on SQLite and PostgreSQL:
// - interrupt() asked in the test's process, the first answer (Command({ resume })) given in a
//   child process, the second back here: the thread's history is the one MemorySaver keeps for
//   the same calls in one process;
// - two processes invoking one thread without a lock, each round held at a barrier inside the
//   graph's first node so that both invocations are under way at once (a fork, LangGraph's outcome
//   for an unlocked thread): every checkpoint each invocation wrote reads back, by id, as it wrote
//   it, and holds that invocation's own result;
// - the same with each invocation inside mx.locks.withLock: while one is inside the graph the other
//   is seen waiting for the lock (never inside), the history is one chain and the count is exact.
import { afterAll, describe, expect, it } from 'vitest';
import { Command, MemorySaver, type StateSnapshot } from '@langchain/langgraph';
import { MemexSaver } from '../../src/adapters/langgraph/index.js';
import { askGraph, counterGraph, idOf, interruptsOf, shown } from '../helpers/langgraph-graphs.js';
import { SHARED_ENGINES, cleanupLocations, newLocation, openAt } from '../helpers/location.js';
import { here, spawnScript, unlessExited, watchChild } from '../helpers/spawn.js';

afterAll(cleanupLocations);

const NODE = here(import.meta.url, '../fixtures/langgraph-graph-node.ts');
const ROUNDS = 4;

/** A child process of the fixture whose stdout lines are awaited one at a time. */
function start(args: string[]) {
  const child = spawnScript(NODE, args);
  const queued: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  const exited = watchChild(child, (line) => {
    const w = waiting.shift();
    if (w) w(line);
    else queued.push(line);
  });
  const next = (what: string): Promise<string> =>
    unlessExited(queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise<string>((r) => waiting.push(r)), exited, what);
  const send = (line: string) => child.stdin!.write(`${line}\n`);
  return { next, send, exited };
}

async function runToEnd(args: string[]): Promise<unknown> {
  const c = start(args);
  const line = await c.next('it printed its result');
  const e = await c.exited;
  expect(e.code, e.stderr).toBe(0);
  return JSON.parse(line) as unknown;
}

interface Invocation {
  input: string;
  written: { id: string; parent: string | undefined; values: { count: number; log: string[] } }[];
}

describe.each(SHARED_ENGINES)('compiled graphs on MemexSaver across processes (%s)', (engine) => {
  it('interrupt() asked here, answered with Command({ resume }) in another process, then here: history as MemorySaver keeps it', async () => {
    const location = newLocation(engine);
    const mx = await openAt(location);
    try {
      const graph = askGraph(new MemexSaver(mx.scope('graphs')));
      const config = { configurable: { thread_id: 'q' } };
      await graph.invoke({}, config);
      expect(interruptsOf(await graph.getState(config))).toEqual(['name?']);
      const named = await runToEnd([location, 'resume', 'q', 'Ada']);
      expect(named).toMatchObject({ next: ['askColor'], interrupts: ['color?'], out: { name: 'Ada' } });
      expect(await graph.invoke(new Command({ resume: 'green' }), config)).toEqual({ name: 'Ada', color: 'green', summary: 'Ada likes green' });

      const memory = askGraph(new MemorySaver());
      await memory.invoke({}, config);
      await memory.invoke(new Command({ resume: 'Ada' }), config);
      await memory.invoke(new Command({ resume: 'green' }), config);
      const history = async (graph: ReturnType<typeof askGraph>) => {
        const all: StateSnapshot[] = [];
        for await (const s of graph.getStateHistory(config)) all.push(s);
        const order = all.map(idOf).reverse();
        return all.map((s) => shown(s, order));
      };
      const memexHistory = await history(graph);
      expect(memexHistory).toEqual(await history(memory));
      expect(memexHistory.length).toBeGreaterThanOrEqual(5);
    } finally {
      await mx.close();
    }
  });

  for (const lock of [false, true]) {
    const what = lock
      ? `2 processes x ${ROUNDS} invocations of one thread inside mx.locks.withLock: one at a time, one chain, count exact`
      : `2 processes x ${ROUNDS} invocations of one thread at once, no lock: every invocation's checkpoints hold its own result`;
    it(what, async () => {
      const location = newLocation(engine);
      await (await openAt(location)).close();
      const kids = ['a', 'b'].map((tag) => start([location, 'counter', tag, String(ROUNDS), lock ? 'lock' : 'free']));
      const observer = await openAt(location);
      const done: Invocation[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          for (const k of kids) k.send('go');
          if (!lock) {
            // Both inside the graph at once, then both let go.
            for (const k of kids) expect(await k.next('it entered the node')).toBe('enter');
            for (const k of kids) k.send('leave');
            for (const k of kids) done.push(JSON.parse(await k.next('it finished the round')) as Invocation);
            continue;
          }
          const enters = kids.map((k) => k.next('it entered the node'));
          const entered = [false, false];
          enters.forEach((p, i) => void p.then(() => (entered[i] = true)).catch(() => {}));
          const first = await Promise.race(enters.map((p, i) => p.then(() => i)));
          const [inside, other] = [kids[first]!, kids[1 - first]!];
          // The other one must come to wait for the lock, not into the node.
          for (;;) {
            expect(entered[1 - first], 'both processes inside the graph at once').toBe(false);
            if ((await observer.locks.inspect('thread:shared')).waiters.length === 1) break;
            await new Promise((r) => setTimeout(r, 5)); // polling the lock's record, an observable state
          }
          inside.send('leave');
          done.push(JSON.parse(await inside.next('it finished the round')) as Invocation);
          for (const p of enters) expect(await p).toBe('enter');
          other.send('leave');
          done.push(JSON.parse(await other.next('it finished the round')) as Invocation);
        }
        for (const k of kids) {
          const e = await k.exited;
          expect(e.code, e.stderr).toBe(0);
        }

        const saver = new MemexSaver(observer.scope('graphs'));
        const graph = counterGraph(saver);
        // Every checkpoint an invocation wrote, read by id, is what it wrote.
        for (const inv of done)
          for (const w of inv.written) {
            const s = await graph.getState({ configurable: { thread_id: 'shared', checkpoint_id: w.id } });
            expect({ input: inv.input, id: w.id, values: s.values }).toEqual({ input: inv.input, id: w.id, values: w.values });
          }
        // Each invocation's last checkpoint holds its own result: its input, counted once.
        for (const inv of done) {
          const last = inv.written.at(-1)!.values;
          expect(last.log.slice(-3), inv.input).toEqual([inv.input, `bump ${last.count}`, `note ${last.count}`]);
        }
        // The thread holds exactly the checkpoints the invocations wrote.
        const children = new Map<string, number>();
        const all: string[] = [];
        let roots = 0;
        for await (const t of saver.list({ configurable: { thread_id: 'shared' } })) {
          all.push(t.checkpoint.id);
          const parent = t.parentConfig?.configurable?.checkpoint_id as string | undefined;
          if (parent) children.set(parent, (children.get(parent) ?? 0) + 1);
          else roots++;
        }
        expect(all.sort()).toEqual(done.flatMap((inv) => inv.written.map((w) => w.id)).sort());
        // Where the thread branched: a checkpoint with two children, or a second first checkpoint
        // (in the first round both invocations may find the thread empty).
        const branches = [...children.values()].filter((n) => n > 1).length + roots - 1;
        const final = (await graph.getState({ configurable: { thread_id: 'shared' } })).values as Invocation['written'][0]['values'];
        if (lock) {
          expect(branches).toBe(0);
          expect(final.count).toBe(2 * ROUNDS);
          expect(final.log.filter((l) => /^[ab]\d+$/.test(l)).sort()).toEqual(done.map((inv) => inv.input).sort());
        } else {
          expect(branches).toBe(ROUNDS); // each round branched the thread, once
        }
      } finally {
        await observer.close();
      }
    });
  }
});
