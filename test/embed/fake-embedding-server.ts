/**
 * A local OpenAI-compatible `/v1/embeddings` server for the adapter tests: listens on
 * 127.0.0.1, port 0 (any free port), records every request, and lets each test script the
 * answers per request number.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What an OpenAI-compatible client sends (the raw text when the body is not JSON). */
export interface EmbeddingsRequestBody {
  model: string;
  input: string[];
  dimensions?: number;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: EmbeddingsRequestBody;
}

/** Answers request number `n` (1-based). Leaving `res` unanswered simulates a hung server. */
export type Handler = (req: RecordedRequest, res: http.ServerResponse, n: number) => void;

export interface FakeServer {
  /** API root to pass as `baseUrl`, e.g. `http://127.0.0.1:41234/v1`. */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body as EmbeddingsRequestBody };
      requests.push(rec);
      handler(rec, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests would keep close() waiting forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/**
 * A well-formed answer for the request's inputs. The vector of input `"t<k>"` (any text ending in
 * a number) is `[k, 1, 0, 0, …]` so tests can tell which vector belongs to which input;
 * `shuffle` reverses `data`, as a server is allowed to.
 */
export function embeddingsFor(req: RecordedRequest, dimension: number, options: { shuffle?: boolean } = {}): unknown {
  const input = req.body.input;
  const data = input.map((text, index) => {
    const k = Number(/(\d+)$/.exec(text)?.[1] ?? 0);
    const embedding = new Array<number>(dimension).fill(0);
    embedding[0] = k;
    if (dimension > 1) embedding[1] = 1;
    return { object: 'embedding', index, embedding };
  });
  if (options.shuffle) data.reverse();
  return { object: 'list', model: req.body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } };
}
