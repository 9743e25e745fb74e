import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The inspector's files, built into dist/ui by `npm run build` (tsc for the scripts, copies for the rest). */
const ASSETS: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'chart.js': 'text/javascript; charset=utf-8',
  'views.js': 'text/javascript; charset=utf-8',
};

/** dist/ui beside the built server, or (running from the sources) the package's dist/ui. */
function assetDir(): string | undefined {
  for (const rel of ['../ui/', '../../dist/ui/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

// Everything the page loads comes from this server: no CDN (machines are often offline), no
// inline script, and no framing by other sites.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * The web inspector at `/ui/`. Its files hold no data and are served to anyone; every piece of
 * data it shows comes from the `/v1` routes with the bearer token the user types in, so it sees
 * exactly what that token may see (and without tokens, on loopback, everything).
 */
export function registerUi(app: FastifyInstance): void {
  const dir = assetDir();
  const files = new Map<string, Buffer>();
  const send = (name: string, reply: FastifyReply) => {
    const type = ASSETS[name];
    if (!type || !dir)
      return reply
        .code(404)
        .type('text/plain')
        .send(dir ? 'not found' : 'the inspector is not built: run npm run build');
    let body = files.get(name);
    if (!body) files.set(name, (body = readFileSync(`${dir}${name}`)));
    return reply
      .type(type)
      .header('content-security-policy', CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache')
      .send(body);
  };
  app.get('/ui', async (_req, reply) => reply.redirect('/ui/', 301));
  app.get('/ui/', async (_req, reply) => send('index.html', reply));
  app.get('/ui/:file', async (req, reply) => send((req.params as { file: string }).file, reply));
}
