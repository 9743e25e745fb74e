/**
 * The OpenAI-compatible adapter against a real HTTP server on 127.0.0.1 (see
 * fake-embedding-server.ts). Backoff bases are a few ms so the whole file stays fast; only the
 * Retry-After case really waits (1 s, as the server asks).
 */
import http from 'node:http';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddingError } from '../../src/embed/errors.js';
import { OpenAIEmbedder } from '../../src/embed/openai-embedder.js';
import type { OpenAIEmbedderOptions } from '../../src/embed/openai-options.js';
import { MemexError, StorageError, ValidationError } from '../../src/errors.js';
import { embeddingsFor, sendJson, startFakeServer, type FakeServer, type Handler } from './fake-embedding-server.js';

const KEY = 'sk-test-0123456789abcdef';
const DIM = 8;
let server: FakeServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: Handler, options: Partial<OpenAIEmbedderOptions> = {}): Promise<{ srv: FakeServer; emb: OpenAIEmbedder }> {
  server = await startFakeServer(handler);
  const emb = new OpenAIEmbedder({ baseUrl: server.baseUrl, model: 'test-model', apiKey: KEY, dimension: DIM, retryBaseMs: 5, ...options });
  return { srv: server, emb };
}

async function failure(p: Promise<unknown>): Promise<EmbeddingError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(EmbeddingError);
    expect(e).toBeInstanceOf(StorageError);
    expect(e).toBeInstanceOf(MemexError);
    expect((e as EmbeddingError).code).toBe('storage_error');
    expect(String((e as Error).message)).not.toContain(KEY);
    return e as EmbeddingError;
  }
  throw new Error('expected an EmbeddingError');
}

const ok: Handler = (req, res) => sendJson(res, 200, embeddingsFor(req, DIM));
const texts = (n: number): string[] => Array.from({ length: n }, (_, i) => `t${i}`);

describe('OpenAIEmbedder: happy path', () => {
  it('batches inputs and returns vectors in input order even when the server shuffles them', async () => {
    const { srv, emb } = await setup((req, res) => sendJson(res, 200, embeddingsFor(req, DIM, { shuffle: true })), {
      batchSize: 64,
      normalize: false,
    });
    const out = await emb.embed(texts(150));
    expect(srv.requests.map((r) => r.body.input.length)).toEqual([64, 64, 22]);
    expect(srv.requests[1]!.body.input[0]).toBe('t64');
    expect(out).toHaveLength(150);
    out.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v.length).toBe(DIM);
      expect(v[0]).toBe(i);
    });
  });

  it('sends a well-formed request with the key as a Bearer token', async () => {
    const { srv, emb } = await setup(ok, { headers: { 'X-Org': 'acme' } });
    await emb.embed(['hello']);
    const r = srv.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/v1/embeddings');
    expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['x-org']).toBe('acme');
    expect(r.body).toEqual({ model: 'test-model', input: ['hello'] });
  });

  it('normalizes to unit length by default, and can ask for shortened vectors', async () => {
    const { srv, emb } = await setup(ok, { requestDimensions: true });
    const [v] = await emb.embed(['t3']);
    expect(Math.hypot(...v!)).toBeCloseTo(1, 6);
    expect(v![0]! / v![1]!).toBeCloseTo(3, 5);
    expect(srv.requests[0]!.body.dimensions).toBe(DIM);
    expect(emb.name).toBe('openai:test-model');
    expect(emb.dimension).toBe(DIM);
  });

  it('sends no Authorization header without a key, and no request for no texts', async () => {
    server = await startFakeServer(ok);
    const emb = new OpenAIEmbedder({ baseUrl: `${server.baseUrl}/embeddings/`, model: 'm', dimension: DIM });
    expect(await emb.embed([])).toEqual([]);
    expect(server.requests).toHaveLength(0);
    await emb.embed(['a']);
    expect(server.requests[0]!.url).toBe('/v1/embeddings');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });
});

describe('OpenAIEmbedder: retries', () => {
  it('waits what Retry-After asks after a 429, then succeeds', async () => {
    const { srv, emb } = await setup((req, res, n) =>
      n === 1 ? sendJson(res, 429, { error: { message: 'slow down' } }, { 'retry-after': '1' }) : ok(req, res, n),
    );
    const t0 = performance.now();
    const [v] = await emb.embed(['x']);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(950);
    expect(v!.length).toBe(DIM);
    expect(srv.requests).toHaveLength(2);
  });

  it('retries a 500 twice, then succeeds', async () => {
    const { srv, emb } = await setup((req, res, n) => (n <= 2 ? sendJson(res, 500, 'oops') : ok(req, res, n)));
    expect(await emb.embed(['a', 'b'])).toHaveLength(2);
    expect(srv.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with the last status', async () => {
    const { srv, emb } = await setup((_req, res) => sendJson(res, 503, { error: { message: 'overloaded' } }), { maxRetries: 2 });
    const err = await failure(emb.embed(['a']));
    expect(srv.requests).toHaveLength(3);
    expect(err).toMatchObject({ driverCode: 'HTTP_503', status: 503, retryable: true, attempts: 3 });
    expect(err.message).toMatch(/HTTP 503: overloaded after 3 attempts/);
  });

  it('fails at once when Retry-After asks for more than maxRetryDelayMs', async () => {
    const { srv, emb } = await setup((_req, res) => sendJson(res, 429, {}, { 'retry-after': '120' }), { maxRetryDelayMs: 1000 });
    const err = await failure(emb.embed(['a']));
    expect(srv.requests).toHaveLength(1);
    expect(err.driverCode).toBe('HTTP_429');
    expect(err.message).toMatch(/asked to wait 120 s/);
  });

  it('does not retry a 400, and reports the server message', async () => {
    const { srv, emb } = await setup((_req, res) => sendJson(res, 400, { error: { message: "'input' is invalid" } }));
    const err = await failure(emb.embed(['a']));
    expect(srv.requests).toHaveLength(1);
    expect(err).toMatchObject({ driverCode: 'HTTP_400', status: 400, retryable: false, attempts: 1 });
    expect(err.message).toContain("'input' is invalid");
  });

  it('times out a server that never answers, retrying each time', async () => {
    const { srv, emb } = await setup(() => undefined, { timeoutMs: 100, maxRetries: 2 });
    const err = await failure(emb.embed(['a']));
    expect(err).toMatchObject({ driverCode: 'TIMEOUT', retryable: true, attempts: 3 });
    expect(srv.requests).toHaveLength(3);
  });

  it('times out a server that sends headers and then stalls', async () => {
    const { emb } = await setup(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"data": [');
      },
      { timeoutMs: 100, maxRetries: 0 },
    );
    expect((await failure(emb.embed(['a']))).driverCode).toBe('TIMEOUT');
  });

  it('reports a refused connection as NETWORK after retries', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((r) => closed.close(() => r()));
    const emb = new OpenAIEmbedder({
      baseUrl: `http://127.0.0.1:${port}/v1`,
      model: 'm',
      apiKey: KEY,
      dimension: DIM,
      retryBaseMs: 1,
      maxRetries: 1,
    });
    const err = await failure(emb.embed(['a']));
    expect(err).toMatchObject({ driverCode: 'NETWORK', attempts: 2 });
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

describe('OpenAIEmbedder: bad responses', () => {
  const one = (emb: OpenAIEmbedder): Promise<unknown> => emb.embed(['t0', 't1']);
  const vec = (n: number): number[] => new Array<number>(n).fill(0.5);
  it.each([
    ['malformed JSON', '{"data": [', /body is not JSON/],
    ['no data', { object: 'list' }, /no "data" array/],
    ['too few vectors', { data: [{ index: 0, embedding: vec(DIM) }] }, /expected 2 embeddings, got 1/],
    [
      'wrong dimension',
      {
        data: [
          { index: 0, embedding: vec(DIM) },
          { index: 1, embedding: vec(DIM + 1) },
        ],
      },
      /expected dimension 8, got 9/,
    ],
    [
      'a null value',
      {
        data: [
          { index: 0, embedding: [...vec(DIM - 1), null] },
          { index: 1, embedding: vec(DIM) },
        ],
      },
      /embedding\[7\] is not a number/,
    ],
    [
      'an overflowing value',
      {
        data: [
          { index: 0, embedding: [1e300, ...vec(DIM - 1)] },
          { index: 1, embedding: vec(DIM) },
        ],
      },
      /is not finite/,
    ],
    [
      'a duplicate index',
      {
        data: [
          { index: 1, embedding: vec(DIM) },
          { index: 1, embedding: vec(DIM) },
        ],
      },
      /index 1 appears twice/,
    ],
    [
      'an index out of range',
      {
        data: [
          { index: 0, embedding: vec(DIM) },
          { index: 2, embedding: vec(DIM) },
        ],
      },
      /index is not an integer from 0 to 1/,
    ],
    [
      'base64 embeddings',
      {
        data: [
          { index: 0, embedding: 'AAAA' },
          { index: 1, embedding: 'AAAA' },
        ],
      },
      /not an array of numbers/,
    ],
  ])('refuses %s as BAD_RESPONSE, without retrying', async (_name, body, reason) => {
    const { srv, emb } = await setup((_req, res) => sendJson(res, 200, body));
    const err = await failure(one(emb));
    expect(err.driverCode).toBe('BAD_RESPONSE');
    expect(err.message).toMatch(reason);
    expect(srv.requests).toHaveLength(1);
  });

  it('uses array order when the server omits index', async () => {
    const { emb } = await setup(
      (_req, res) => sendJson(res, 200, { data: [{ embedding: [2, ...vec(DIM - 1)] }, { embedding: [3, ...vec(DIM - 1)] }] }),
      {
        normalize: false,
      },
    );
    expect(((await one(emb)) as Float32Array[]).map((v) => v[0])).toEqual([2, 3]);
  });
});

describe('OpenAIEmbedder: secrets', () => {
  it('never shows the API key, even when the server echoes it', async () => {
    const { emb } = await setup((req, res) =>
      sendJson(res, 401, { error: { message: `Incorrect API key provided: ${String(req.headers.authorization)}` } }),
    );
    const err = await failure(emb.embed(['a']));
    expect(err.driverCode).toBe('HTTP_401');
    expect(err.message).toContain('[redacted]');
    expect(inspect(err, { depth: 5 })).not.toContain(KEY);
    expect(inspect(emb, { depth: 5, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(emb)).not.toContain(KEY);
  });
});

describe('OpenAIEmbedder: options', () => {
  const base = { baseUrl: 'http://127.0.0.1:1/v1', model: 'm', dimension: 4 };
  it.each([
    [{ ...base, baseUrl: 'not a url' }, 'options.baseUrl'],
    [{ ...base, baseUrl: 'ftp://host/v1' }, 'options.baseUrl'],
    [{ ...base, baseUrl: `https://user:${KEY}@host/v1` }, 'options.baseUrl'],
    [{ ...base, model: '' }, 'options.model'],
    [{ ...base, apiKey: '' }, 'options.apiKey'],
    [{ ...base, apiKey: `${KEY}\r\nX-Evil: 1` }, 'options.apiKey'],
    [{ ...base, dimension: 0 }, 'options.dimension'],
    [{ ...base, dimension: undefined }, 'options.dimension'],
    [{ ...base, batchSize: 0 }, 'options.batchSize'],
    [{ ...base, batchSize: 5000 }, 'options.batchSize'],
    [{ ...base, timeoutMs: -1 }, 'options.timeoutMs'],
    [{ ...base, maxRetries: 1.5 }, 'options.maxRetries'],
    [{ ...base, retryBaseMs: -5 }, 'options.retryBaseMs'],
    [{ ...base, normalize: 'yes' }, 'options.normalize'],
    [{ ...base, headers: { 'bad name': 'x' } }, 'options.headers'],
    [{ ...base, headers: { 'x-a': 'a\nb' } }, 'options.headers.x-a'],
    [{ ...base, fetch: 42 }, 'options.fetch'],
    [{ ...base, batch_size: 10 }, 'options.batch_size'],
    [null, 'options'],
  ])('refuses %#', (options, field) => {
    let err: unknown;
    try {
      new OpenAIEmbedder(options as never);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).field).toBe(field);
    expect((err as Error).message).not.toContain(KEY);
  });

  it('refuses texts that are not an array of strings', async () => {
    const emb = new OpenAIEmbedder(base);
    await expect(emb.embed([1] as never)).rejects.toMatchObject({ code: 'invalid_input', field: 'texts[0]' });
  });
});
