// The list-append workload over the MCP `kv_*` tools, checked by the Elle-style checker. What they
// promise: each call is one atomic operation — `kv_get` reads a value with its version, `kv_set`
// with `ifVersion` is a compare-and-set that writes nothing on a conflict, `kv_list` answers a
// page from one snapshot. So an append is `kv_get` then `kv_set` with the version read (a
// conflict fails the transaction), and a multi-key read is one `kv_list` page. Four real
// `memex mcp` processes on one file, each driven by the SDK's client with 4 concurrent callers.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { ConflictError, openMemex } from '../../src/index.js';
import {
  checkListAppend,
  finalLists,
  formatReport,
  historyFromEvents,
  HistoryRecorder,
  keysOf,
  readMop,
  runCallers,
  type HistoryEvent,
  type ListAppendClient,
} from '../../src/testing/index.js';
import { listAppendSeed } from '../helpers/list-append-procs.js';
import { here, spawnUntil } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath } from '../helpers/tmp.js';

const CLI = here(import.meta.url, '../../dist/cli/main.js');
const seed = listAppendSeed();
console.log(`list-append seed ${seed} (replay with MEMEX_LIST_APPEND_SEED=${seed})`);
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  cleanupTemp();
});

type List = readonly number[];

/** Calls a tool; a tool error becomes the MemexError it names where that matters (a conflict), else an Error. */
async function call(client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await client.callTool({ name, arguments: args });
  if (!r.isError) return r.structuredContent as Record<string, unknown>;
  const text = (r.content as { text: string }[])[0]?.text ?? '';
  const conflict = /^version_conflict: .*"(.*)": expected (\d+), found (\d+)/.exec(text);
  if (conflict) throw new ConflictError(conflict[1]!, Number(conflict[2]), Number(conflict[3]));
  throw new Error(`${name}: ${text}`);
}

function mcpClients(client: Client): ListAppendClient[] {
  return [
    {
      name: 'kv_get + kv_set ifVersion',
      shape: 'cas',
      run: async ([read, append]) => {
        const key = read![1];
        const got = (await call(client, 'kv_get', { key })) as { found: boolean; value?: List; version?: number };
        const list = got.found ? got.value! : [];
        await call(client, 'kv_set', { key, value: [...list, append![2] as number], ifVersion: got.version ?? 0 });
        return [readMop(read!, list), append!];
      },
    },
    {
      name: 'kv_list',
      shape: 'reads',
      run: async (mops) => {
        const page = (await call(client, 'kv_list', { limit: 100 })) as { items: { key: string; value: List }[]; cursor?: string };
        if (page.cursor !== undefined) throw new Error('more keys than one page: the workload must stay under 100 keys');
        const lists = new Map(page.items.map((e) => [e.key, e.value]));
        return mops.map((m) => readMop(m, lists.get(m[1]) ?? []));
      },
    },
  ];
}

describe('MCP kv_* tools: list-append histories are strict serializable', () => {
  it('4 memex mcp processes on one file x 4 callers', async () => {
    const path = tempDbPath();
    await (await openMemex({ path })).close();
    const clients = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const transport = new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--path', path, '--ns', 'la'], stderr: 'pipe' });
        const client = new Client({ name: 'list-append', version: '1' });
        await client.connect(transport);
        closers.push(() => client.close());
        return client;
      }),
    );
    const events: HistoryEvent[] = [];
    await Promise.all(
      clients.map((client, p) =>
        runCallers({
          process: p,
          callers: 4,
          txnsPerCaller: 50,
          seed,
          clients: mcpClients(client),
          recorder: new HistoryRecorder(`p${p}`, (e) => events.push(e)),
        }),
      ),
    );
    const mx = await openMemex({ path });
    const history = historyFromEvents(events, await finalLists(mx.scope('la').kv, keysOf(events)));
    await mx.close();
    const report = checkListAppend(history);
    const text = `seed ${seed}: ${formatReport(report)}`;
    console.log(text.split('\n')[0]);
    expect(report.stats.ok, text).toBeGreaterThan(400);
    expect(report.stats.fail, text).toBeGreaterThan(0); // compare-and-set conflicts happened and wrote nothing
    expect(report.counts, text).toEqual({});
  });

  it('a kv_list page is one snapshot: another process rewriting 100 keys at once is never seen half done', async () => {
    const path = tempDbPath();
    const writer = await spawnUntil(here(import.meta.url, '../fixtures/batch-writer.ts'), [path, '100'], 'ready', 'its first batch');
    closers.push(async () => {
      writer.child.stdin!.end();
      await writer.exited;
    });
    const client = new Client({ name: 'list-snapshot', version: '1' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, 'mcp', '--path', path], stderr: 'pipe' }));
    closers.unshift(() => client.close());
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const page = (await call(client, 'kv_list', { prefix: 's', limit: 100 })) as { items: { value: number }[] };
      const values = new Set(page.items.map((e) => e.value));
      expect(page.items).toHaveLength(100);
      expect(values.size, `page ${i} mixes batches: ${[...values].join(', ')}`).toBe(1);
      seen.add([...values][0]!);
    }
    expect(seen.size).toBeGreaterThan(10); // the writer really wrote while we listed
  });
});
