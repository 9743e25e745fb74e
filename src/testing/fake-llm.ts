import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HashingEmbedder } from '../embed/hashing-embedder.js';
import type { AddressInfo } from 'node:net';

/** One request the fake model received. */
export interface FakeLlmRequest {
  /** The JSON schema's name: which question Memex asked (`memex_extracted_facts`, `memex_fact_decisions`). */
  readonly schema: string;
  readonly system: string;
  readonly user: string;
  /** The request's Authorization header, as a real provider would check it. */
  readonly authorization: string | undefined;
}

/** What a scripted answer may be: the message's content, or a whole HTTP answer. */
export type FakeLlmAnswer = string | { status: number; body: string };

/** Options of {@link startFakeLlm}. */
export interface FakeLlmOptions {
  /** Milliseconds each answer takes, fixed or drawn from [min, max]. @default [30, 80] */
  latencyMs?: number | readonly [number, number];
  /** Answers a request instead of the built-in rules (return `undefined` to use them). */
  respond?: (req: FakeLlmRequest) => FakeLlmAnswer | undefined;
}

/** A running fake model: its base URL (for `openAiChat`), what it was asked, and how to stop it. */
export interface FakeLlm {
  readonly baseUrl: string;
  readonly requests: FakeLlmRequest[];
  /** Requests by schema name. */
  count(schema?: string): number;
  /** Replaces the scripted answers from now on. */
  script(respond: FakeLlmOptions['respond']): void;
  close(): Promise<void>;
}

const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
const THIRD: Record<string, string> = { am: 'is', have: 'has', do: 'does', go: 'goes', was: 'was' };

/** "I live in Paris" → "The user lives in Paris"; "My dog is Rex" → "The user's dog is Rex"; else nothing. */
export function factOf(sentence: string): string | undefined {
  const s = sentence.trim().replace(/[.!]+$/, '');
  let m = /^I\s+(\w+)\s+(.+)$/i.exec(s);
  if (m) {
    const verb = m[1]!.toLowerCase();
    const v = THIRD[verb] ?? (/(ed|s)$/.test(verb) ? verb : `${verb}s`);
    return `The user ${v} ${m[2]}`;
  }
  m = /^My\s+(.+)$/i.exec(s);
  return m ? `The user's ${m[1]}` : undefined;
}

/** The built-in extraction: the user's first-person sentences, in the third person. */
function extract(user: string): string {
  const facts: { text: string; subject: string; validFrom: null; validTo: null }[] = [];
  for (const line of user.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (!m || m[1] !== 'user') continue;
    for (const sentence of m[2]!.split(/(?<=[.!?])\s+/)) {
      const text = factOf(sentence);
      if (text) facts.push({ text, subject: 'user', validFrom: null, validTo: null });
    }
  }
  return JSON.stringify({ facts });
}

/**
 * The built-in consolidation, as a careful model would answer: the same words → `none`; the same
 * first three words ("The user lives …") with a different ending → `add`, invalidating the old one;
 * otherwise `add`.
 */
function consolidate(user: string): string {
  const { new: items } = JSON.parse(user) as { new: { fact: number; text: string; known: { id: string; text: string }[] }[] };
  const decisions = items.map(({ fact, text, known }) => {
    const w = words(text);
    const same = known.find((k) => words(k.text).join(' ') === w.join(' '));
    if (same) return { fact, action: 'none', id: same.id, text: null, invalidates: [] };
    const rival = known.filter((k) => words(k.text).slice(0, 3).join(' ') === w.slice(0, 3).join(' ')).map((k) => k.id);
    return { fact, action: 'add', id: null, text: null, invalidates: rival };
  });
  return JSON.stringify({ decisions });
}

/** `POST /embeddings`: the hashing embedder's vectors (deterministic), for clients that embed through the same server. */
async function answerEmbeddings(raw: string, res: ServerResponse): Promise<void> {
  const b = JSON.parse(raw) as { input: string | string[]; dimensions?: number };
  const input = typeof b.input === 'string' ? [b.input] : b.input;
  const vectors = await new HashingEmbedder({ dimension: b.dimensions ?? 384 }).embed(input);
  const data = vectors.map((v, index) => ({ object: 'embedding', index, embedding: Array.from(v) }));
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ object: 'list', data, usage: { prompt_tokens: 1, total_tokens: 1 } }));
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A local OpenAI-compatible chat server for tests, answering Memex's questions like a real model
 * (slowly: 30–80 ms by default) with deterministic rules, or as scripted; `POST /embeddings`
 * answers with the hashing embedder's vectors (immediately). Listens on 127.0.0.1.
 *
 * @example
 * ```ts
 * const llm = await startFakeLlm();
 * const mx = await openMemex({ path: ':memory:', llm: openAiChat({ baseUrl: llm.baseUrl, model: 'fake' }) });
 * await mx.memories.ingest(['I live in Paris']);
 * await llm.close();
 * ```
 */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const requests: FakeLlmRequest[] = [];
  let respond = options.respond;
  const latency = options.latencyMs ?? [30, 80];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await body(req);
      if (req.url?.endsWith('/embeddings')) {
        await answerEmbeddings(raw, res);
        return;
      }
      let r: FakeLlmRequest;
      try {
        const b = JSON.parse(raw) as { messages: { role: string; content: string }[]; response_format?: { json_schema?: { name?: string } } };
        r = {
          schema: b.response_format?.json_schema?.name ?? '',
          system: b.messages.find((m) => m.role === 'system')?.content ?? '',
          user: b.messages.find((m) => m.role === 'user')?.content ?? '',
          authorization: req.headers.authorization,
        };
      } catch {
        res.writeHead(400).end('{"error":{"message":"bad request"}}');
        return;
      }
      requests.push(r);
      const wait = typeof latency === 'number' ? latency : latency[0] + Math.random() * (latency[1] - latency[0]);
      await new Promise((done) => setTimeout(done, wait));
      const scripted = respond?.(r);
      if (typeof scripted === 'object') {
        res.writeHead(scripted.status, { 'content-type': 'application/json' }).end(scripted.body);
        return;
      }
      const content = scripted ?? (r.schema === 'memex_extracted_facts' ? extract(r.user) : consolidate(r.user));
      const answer = {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
        usage: { prompt_tokens: Math.ceil((r.system.length + r.user.length) / 4), completion_tokens: Math.ceil(content.length / 4) },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    })();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    count: (schema) => (schema === undefined ? requests.length : requests.filter((r) => r.schema === schema).length),
    script: (fn) => {
      respond = fn;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
