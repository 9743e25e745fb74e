/**
 * mem0's open-source TypeScript library (`mem0ai/oss`, pinned devDependency) driven the way its
 * README shows, against the same fake OpenAI-compatible server as Memex (chat and embeddings), for
 * the side-by-side runs of bench/memories.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeLlmAnswer, FakeLlmRequest } from '../../src/testing/index.js';
import { factOf } from '../../src/testing/fake-llm.js';

process.env.MEM0_TELEMETRY = 'false'; // read when the module loads: set before the import below
const { Memory } = await import('mem0ai/oss');

/**
 * How a careful model answers mem0's extraction prompt: the user's first-person sentences as facts,
 * leaving out those already among the "Existing Memories" it was shown (as its prompt asks).
 */
export function answerMem0(r: FakeLlmRequest): FakeLlmAnswer | undefined {
  if (!r.user.includes('## New Messages')) return undefined;
  const section = (name: string) => r.user.split(`## ${name}\n`)[1]?.split('\n\n## ')[0] ?? '';
  const known = new Set((JSON.parse(section('Existing Memories') || '[]') as { text: string }[]).map((m) => m.text));
  const facts = section('New Messages')
    .split('\n')
    .filter((l) => l.startsWith('user: '))
    .flatMap((l) => l.slice(6).split(/(?<=[.!?])\s+/))
    .flatMap((s) => factOf(s) ?? [])
    .filter((t) => !known.has(t));
  return JSON.stringify({ memory: facts.map((text, i) => ({ id: String(i), text })) });
}

/** A mem0 Memory on fresh files (its SQLite vector store and history), and how to remove them. */
export function mem0At(baseUrl: string): { memory: InstanceType<typeof Memory>; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'memex-bench-mem0-'));
  const memory = new Memory({
    version: 'v1.1',
    embedder: { provider: 'openai', config: { apiKey: 'fake', model: 'text-embedding-3-small', baseURL: baseUrl, embeddingDims: 384 } },
    vectorStore: { provider: 'memory', config: { collectionName: 'bench', dimension: 384, dbPath: join(dir, 'vectors.db') } },
    llm: { provider: 'openai', config: { apiKey: 'fake', model: 'gpt-4o-mini', baseURL: baseUrl } },
    historyDbPath: join(dir, 'history.db'),
  });
  return { memory, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
