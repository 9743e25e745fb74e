// The inspector's only way to the data: the server's own /v1 routes, with the bearer token the
// user gave (kept for this browser tab only, in sessionStorage).

const TOKEN_KEY = 'memex.token';

export const token = {
  get: (): string => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (t: string): void => (t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY)),
};

/** A refused or failed call: the server's problem+json, or what went wrong on the way. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const headers = (): Record<string, string> => {
  const t = token.get();
  return { 'content-type': 'application/json', ...(t ? { authorization: `Bearer ${t}` } : {}) };
};

async function problem(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { detail?: string; title?: string };
  return new ApiError(res.status, `refused (${res.status}): ${body.detail ?? body.title ?? res.statusText}`);
}

/** Calls operation `id` (`kv.list`) in namespace `ns` (`null`: the whole store); resolves its result. */
export async function call<T>(id: string, ns: string | null, args: Record<string, unknown> = {}): Promise<T> {
  const [store, name] = id.split('.') as [string, string];
  const res = await fetch(`/v1/${store}/${name}`, { method: 'POST', headers: headers(), body: JSON.stringify(ns === null ? args : { ns, ...args }) });
  if (!res.ok) throw await problem(res);
  return ((await res.json()) as { result: T }).result;
}

/**
 * Reads a Server-Sent Events stream with the token in a header (EventSource cannot send one),
 * calling `onData` with each `data:` payload parsed, until `signal` aborts.
 */
export async function stream(path: string, onData: (data: unknown) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(path, { headers: headers(), signal });
  if (!res.ok || !res.body) throw await problem(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      if (data) onData(JSON.parse(data));
    }
  }
}
