/**
 * Curated memory (issue 32), side by side with mem0's open-source TypeScript library in one run,
 * both against the same local fake OpenAI-compatible server (chat and embeddings) answering every
 * chat request after a fixed 50 ms:
 *   1. duplicates: N concurrent callers adding one fact for one user (N = 1, 2, 4, 8; 5 runs each);
 *   2. lost updates: 10 concurrent corrections of one fact (5 runs): versions kept vs applied;
 *   3. ingest throughput and model calls per conversation (distinct conversations, 8 at a time);
 *   4. Memex alone: add rate and search latency as the store grows (10k, 100k facts).
 *
 *   npx tsx bench/memories.ts            # sizes 10k and 100k (about 4 min)
 *   npx tsx bench/memories.ts --quick    # sizes 2k and 10k, fewer conversations
 *
 * Prints Markdown on stdout; progress on stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAiChat, openMemex, ConflictError, type Memex } from '../src/index.js';
import { startFakeLlm } from '../src/testing/index.js';
import { benchEnv, packageVersion } from './lib/env.js';
import { table } from './lib/format.js';
import { answerMem0, mem0At } from './memories/mem0.js';
import { ingestSection, scaleSection } from './memories/memex.js';

const QUICK = process.argv.includes('--quick');
const RUNS = 5;
const fake = await startFakeLlm({ latencyMs: 50, respond: answerMem0 });
const log = (s: string) => process.stderr.write(`${s}\n`);

async function memexAt(): Promise<{ mx: Memex; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'memex-bench-mem-'));
  const mx = await openMemex({ path: join(dir, 'm.db'), durability: 'normal', llm: openAiChat({ baseUrl: fake.baseUrl, model: 'fake' }) });
  return { mx, dispose: async () => (await mx.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** 1. N concurrent adds of one fact: how many memories each library ends with, per run. */
async function duplicates(): Promise<string> {
  const rows: string[][] = [];
  for (const n of [1, 2, 4, 8]) {
    const m0: number[] = [];
    const mxIngest: number[] = [];
    const mxAdd: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const a = mem0At(fake.baseUrl);
      await Promise.all(Array.from({ length: n }, () => a.memory.add('I live in Paris', { userId: 'u1' })));
      m0.push((await a.memory.getAll({ filters: { user_id: 'u1' } })).results.length);
      a.dispose();
      const b = await memexAt();
      // Distinct keys: every call is its own ingestion (no single flight), as mem0's adds are.
      await Promise.all(
        Array.from({ length: n }, (_, i) => b.mx.memories.ingest([{ role: 'user', content: 'I live in Paris' }], { idempotencyKey: `call-${i}` })),
      );
      mxIngest.push((await b.mx.memories.list()).items.length);
      await Promise.all(Array.from({ length: n }, () => b.mx.scope('add').memories.add({ text: 'The user lives in Paris' })));
      mxAdd.push((await b.mx.scope('add').memories.list()).items.length);
      await b.dispose();
    }
    rows.push([String(n), m0.join(', '), mxIngest.join(', '), mxAdd.join(', ')]);
    log(`duplicates: ${n} callers done`);
  }
  return table(['concurrent callers', 'mem0 `add` → memories stored (5 runs)', 'Memex `ingest` → facts stored', 'Memex `add` → facts stored'], rows);
}

/** 2. 10 concurrent corrections of one fact: updates applied vs versions the history keeps. */
async function lostUpdates(): Promise<string> {
  const m0: string[] = [];
  const mx: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const a = mem0At(fake.baseUrl);
    const [first] = (await a.memory.add('I live in Paris', { userId: 'u1' })).results;
    await Promise.all(Array.from({ length: 10 }, (_, i) => a.memory.update(first!.id, `The user lives in city ${i}`)));
    const h = (await a.memory.history(first!.id)) as { action?: string; previousValue?: string | null; previous_value?: string | null }[];
    const updates = h.filter((e) => (e.action ?? '').toUpperCase() === 'UPDATE');
    const bases = updates.map((e) => e.previousValue ?? e.previous_value ?? null);
    // A fork: two corrections that both replaced the same value, so one never saw the other.
    m0.push(`${updates.length} kept, ${bases.length - new Set(bases).size} forks`);
    a.dispose();
    const b = await memexAt();
    const f = await b.mx.memories.add({ text: 'The user lives in Paris' });
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        for (;;) {
          const cur = (await b.mx.memories.get(f.id))!;
          try {
            return await b.mx.memories.update(f.id, `The user lives in city ${i}`, { ifVersion: cur.version });
          } catch (e) {
            if (!(e instanceof ConflictError)) throw e;
          }
        }
      }),
    );
    const versions = (await b.mx.memories.history(f.id)).filter((v) => v.op === 'updated');
    mx.push(`${versions.length} kept, 0 forks`);
    await b.dispose();
  }
  return table(
    ['run', 'mem0: 10 concurrent `update`', 'Memex: 10 concurrent `update` with `ifVersion`'],
    m0.map((x, i) => [String(i + 1), x, mx[i]!]),
  );
}

/** 3. Ingest throughput: distinct conversations, 8 at a time, and model calls per conversation. */
async function throughput(n: number): Promise<string> {
  const a = mem0At(fake.baseUrl);
  const before = fake.count();
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < n) {
        const i = next++;
        await a.memory.add(`I live in city ${i}. I have ${i % 7} cats. I work at company ${i % 13}.`, { userId: `u${i % 10}` });
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const m0 = table(
    ['library', 'conversations', 'conversations/s', 'model calls per conversation'],
    [['mem0 `add`', String(n), (n / s).toFixed(1), ((fake.count() - before) / n).toFixed(2)]],
  );
  a.dispose();
  return `${m0}\n\nMemex \`ingest\` (the same conversations, one namespace):\n\n${await ingestSection(fake, n, 8)}`;
}

const env = benchEnv(new URL('..', import.meta.url).pathname, process.argv, 'bench/memories.ts');
const out = [
  `## Curated memory (issue 32)`,
  '',
  `\`${env.command}\`, ${env.date}, ${env.nproc} cores (${env.cpu}), ${env.ramGiB} GiB, Node ${env.node}, mem0ai ${packageVersion('mem0ai')}, SQLite ${env.sqlite}; fake model: 50 ms per chat answer, embeddings immediate (hashing, 384 dimensions), both libraries on SQLite files.`,
  '',
  '### Duplicates under concurrent adds of one fact',
  '',
  await duplicates(),
  '',
  '### Lost updates: 10 concurrent corrections of one fact',
  '',
  await lostUpdates(),
  '',
  '### Ingest throughput',
  '',
  await throughput(QUICK ? 40 : 100),
  '',
  '### Memex: adds and search as the store grows',
  '',
  await scaleSection(QUICK ? [2000, 10_000] : [10_000, 100_000], QUICK ? 200 : 500),
];
await fake.close();
process.stdout.write(`${out.join('\n')}\n`);
