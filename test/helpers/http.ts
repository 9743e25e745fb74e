// Raw HTTP for server tests: what a non-TypeScript client (curl, Python) sends and sees.
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** `POST /v1/<op>` (or any path) with a JSON body; the parsed answer. */
export async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(base, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function request(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (metrics, SSE)
  }
  return { status: res.status, headers: res.headers, body, text };
}
