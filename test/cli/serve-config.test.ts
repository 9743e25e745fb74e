/**
 * `memex serve --config` (issue 31): a deployment sets the store policies a Python agent cannot
 * pass over HTTP. Through the built CLI on a real port: a voice bot's config (10 messages, a
 * thread bound, 24 h, cache 150) is what the server enforces; per-namespace overrides go by the
 * longest pattern; `/v1/memex/info` and `--print-config` report the effective settings without
 * the API key; a bad file is one line naming the field, exit 1, and no server.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLlm } from '../../src/testing/index.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { post } from '../helpers/http.js';
import { here } from '../helpers/spawn.js';
import { cleanupTemp, tempDbPath, tempDir } from '../helpers/tmp.js';

const CLI = here(import.meta.url, '../../dist/cli/main.js');
const DAY = 86_400_000;
const SECRET = 'sk-test-0123456789-do-not-print';
const servers: ServeProcess[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  cleanupTemp();
});

const configFile = (config: unknown): string => {
  const file = `${tempDir()}/memex.config.json`;
  writeFileSync(file, JSON.stringify(config));
  return file;
};
const serveWith = async (config: unknown) => {
  const s = await startServe(['--path', tempDbPath(), '--durability', 'normal', '--config', configFile(config)]);
  servers.push(s);
  const call = async (op: string, body: Record<string, unknown>) => {
    const a = await post(s.url, `/v1/${op}`, body);
    expect(a.status, `${op}: ${a.text}`).toBe(200);
    return (a.body as { result?: unknown }).result;
  };
  return { url: s.url, call };
};

const VOICE = {
  conversations: { maxMessagesPerThread: 10, maxThreads: 30, ttlMs: DAY },
  cache: { maxEntries: 150 },
  namespaces: { 'acme/voice/*': { conversations: { maxMessagesPerThread: 20 } }, 'acme/voice/vip': { conversations: { maxMessagesPerThread: 3 } } },
  embedder: { provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'embed-test', dimension: 64, apiKeyEnv: 'MEMEX_TEST_EMBED_KEY' },
};

describe('memex serve --config', () => {
  it("enforces a voice bot's bounds over HTTP: messages per thread, threads, TTL, cache size; overrides by the longest pattern", async () => {
    process.env.MEMEX_TEST_EMBED_KEY = SECRET;
    const { call } = await serveWith(VOICE);
    const append = (ns: string, threadId: string, n: number) =>
      Promise.all(Array.from({ length: n }, (_, i) => call('conversations/append', { ns, threadId, message: { role: 'user', content: `m${i}` } })));
    const kept = async (ns: string, threadId: string) => ((await call('conversations/recent', { ns, threadId, limit: 1000 })) as unknown[]).length;

    await append('default', 't', 25);
    expect(await kept('default', 't')).toBe(10);
    // acme/voice/* keeps 20; the exact acme/voice/vip 3; acme/voice itself is not under acme/voice/*.
    await append('acme/voice/bot1', 't', 25);
    expect(await kept('acme/voice/bot1', 't')).toBe(20);
    await append('acme/voice/vip', 't', 25);
    expect(await kept('acme/voice/vip', 't')).toBe(3);
    await append('acme/voice', 't', 25);
    expect(await kept('acme/voice', 't')).toBe(10);

    // 35 threads under maxThreads 30: the 30 most recently active stay.
    for (let i = 0; i < 35; i++) await append('bots/b1', `thread-${i}`, 1);
    expect(((await call('conversations/list', { ns: 'bots/b1', options: { limit: 1000 } })) as unknown[]).length).toBe(30);
    // Every thread expires 24 h after its last activity.
    const info = (await call('conversations/get', { ns: 'bots/b1', threadId: 'thread-34' })) as { lastActiveAt: number; expiresAt: number };
    expect(info.expiresAt - info.lastActiveAt).toBe(DAY);

    // The cache keeps at most 150 entries.
    for (let i = 0; i < 160; i++) await call('cache/set', { ns: 'bots/b1', key: `prompt ${i}`, value: i });
    expect(((await call('cache/stats', { ns: 'bots/b1' })) as { size: number }).size).toBe(150);
  });

  it('/v1/memex/info and --print-config report the same effective settings, the key only by its variable', async () => {
    process.env.MEMEX_TEST_EMBED_KEY = SECRET;
    const file = configFile(VOICE);
    const printed = spawnSync(process.execPath, [CLI, 'serve', '--path', tempDbPath(), '--config', file, '--print-config'], { encoding: 'utf8' });
    expect(printed.status, printed.stderr).toBe(0);
    const settings = JSON.parse(printed.stdout) as Record<string, unknown>;
    expect(settings).toMatchObject({
      conversations: { maxMessagesPerThread: 10, maxThreads: 30, ttlMs: DAY },
      cache: { maxEntries: 150, maxBytes: null },
      embedder: { provider: 'openai', model: 'embed-test', dimension: 64, apiKeyEnv: 'MEMEX_TEST_EMBED_KEY' },
      namespaces: VOICE.namespaces,
      lockTimeoutMs: 5000,
    });
    expect(printed.stdout).not.toContain(SECRET);
    const s = await startServe(['--path', tempDbPath(), '--config', file]);
    servers.push(s);
    const info = await post(s.url, '/v1/memex/info', {});
    expect((info.body as { result: { settings: unknown } }).result.settings).toEqual(settings);
    expect(info.text).not.toContain(SECRET);
  });

  it('the file gives curated memory its model (key from the environment) and policies, and a namespace pattern its own embedder', async () => {
    const fake = await startFakeLlm({ latencyMs: 0 });
    try {
      process.env.MEMEX_TEST_LLM_KEY = SECRET;
      const config = {
        llm: { provider: 'openai', baseUrl: fake.baseUrl, model: 'fake-chat', apiKeyEnv: 'MEMEX_TEST_LLM_KEY' },
        memories: { duplicateThreshold: 0.95 },
        blocks: { maxChars: 40 },
        namespaces: { 'acme/fr/*': { embedder: { provider: 'hashing', dimension: 48 } } },
      };
      const { url, call } = await serveWith(config);
      const ingested = (await call('memories/ingest', { ns: 'u1', messages: [{ role: 'user', content: 'I live in Paris' }] })) as {
        facts: { text: string; op: string }[];
        llmCalls: number;
      };
      expect(ingested.facts.map((f) => [f.op, f.text])).toEqual([['added', 'The user lives in Paris']]);
      expect(fake.requests.length).toBe(ingested.llmCalls);
      expect(fake.requests.every((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
      // blocks.maxChars from the file: 41 characters are refused.
      expect((await post(url, '/v1/blocks/set', { ns: 'u1', label: 'human', value: 'x'.repeat(41) })).status).toBe(413);
      // Texts embed with 48 dimensions under acme/fr/*, with the default (384) elsewhere.
      const dims = async (ns: string) => {
        await call('vectors/upsert', { ns, docs: [{ id: 'd', text: 'bonjour' }] });
        return ((await call('vectors/get', { ns, id: 'd' })) as { vector: number[] }).vector.length;
      };
      expect([await dims('acme/fr/bot'), await dims('acme/en/bot')]).toEqual([48, 384]);
      const info = await post(url, '/v1/memex/info', {});
      expect((info.body as { result: { settings: unknown } }).result.settings).toMatchObject({
        llm: { provider: 'openai', model: 'fake-chat', apiKeyEnv: 'MEMEX_TEST_LLM_KEY' },
        memories: { duplicateThreshold: 0.95 },
        blocks: { maxChars: 40 },
        namespaces: config.namespaces,
      });
      expect(info.text).not.toContain(SECRET);
    } finally {
      await fake.close();
    }
  });

  it('a bad file is refused at start: one line naming the field, exit 1, no server', () => {
    delete process.env.MEMEX_TEST_EMBED_KEY;
    const cases: [unknown, string][] = [
      [{ conversations: { maxThreds: 5 } }, 'conversations.maxThreds: unknown option'],
      [{ cache: { maxEntries: 0 } }, 'cache.maxEntries:'],
      [{ namespaces: { 'acme/voice/*': { conversations: { ttlMs: -1 } } } }, 'namespaces.acme/voice/*.conversations.ttlMs:'],
      [
        { embedder: { provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', dimension: 8, apiKeyEnv: 'MEMEX_TEST_EMBED_KEY' } },
        'embedder.apiKeyEnv: the environment variable MEMEX_TEST_EMBED_KEY is not set',
      ],
      [{ clock: 1 }, 'clock: unknown option'],
      [
        { llm: { provider: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'MEMEX_TEST_LLM_UNSET' } },
        'llm.apiKeyEnv: the environment variable MEMEX_TEST_LLM_UNSET is not set',
      ],
      [{ memories: { duplicateThreshold: 2 } }, 'memories.duplicateThreshold:'],
      [{ namespaces: { 'acme/*': { embedder: { provider: 'hashing', dimension: 4 } } } }, 'namespaces.acme/*.embedder.dimension:'],
    ];
    for (const [config, says] of cases) {
      const file = configFile(config);
      const r = spawnSync(process.execPath, [CLI, 'serve', '--path', tempDbPath(), '--port', '0', '--config', file], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, JSON.stringify(config)).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, JSON.stringify(config)).toHaveLength(1);
      expect(lines[0]).toContain(`${file}: ${says}`);
    }
  });
});
