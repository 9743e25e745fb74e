// One process of bench/server.ts. Usage:
//   server-child.ts bare                       a bare Fastify route answering kv.get's JSON; prints its URL
//   server-child.ts update <target> <callers> <ms>   kv.update(+1) on one key; target = a path (embedded) or http:// URL
//   server-child.ts patch <target> <callers> <ms>    the same with kv.patch([{ op: 'increment' }]) (the client batches concurrent ones)
import Fastify from 'fastify';
import { createInterface } from 'node:readline';
import { openMemex } from '../src/index.js';

const [mode, target, callersArg, msArg] = process.argv.slice(2);

if (mode === 'bare') {
  const app = Fastify({ logger: false });
  const answer = { result: { name: 'Ada', languages: ['python', 'typescript'], visits: 42 } };
  // The same work the framework does for a Memex route: parse a JSON body, answer JSON.
  app.post('/v1/kv/get', async (req) => ((req.body as { key?: string }).key ? answer : {}));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  process.stdout.write(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`);
} else if ((mode === 'update' || mode === 'patch') && target && callersArg && msArg) {
  const mx = await openMemex(target.startsWith('http') ? { url: target } : { path: target, durability: 'normal' });
  const kv = mx.scope('bench').kv;
  process.stdout.write('ready\n');
  await new Promise<void>((r) => createInterface({ input: process.stdin }).once('line', () => r()));
  process.stdin.destroy();
  const end = performance.now() + Number(msArg);
  let ops = 0;
  let errors = 0;
  const kinds: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: Number(callersArg) }, async () => {
      while (performance.now() < end) {
        try {
          if (mode === 'patch') await kv.patch('hot', [{ op: 'increment' }]);
          else await kv.update<number>('hot', (n = 0) => n + 1);
          ops++;
        } catch (e) {
          errors++;
          const kind = `${mode}: ${(e as { code?: string }).code ?? (e as Error).name}`;
          kinds[kind] = (kinds[kind] ?? 0) + 1;
        }
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ ops, errors, kinds })}\n`);
  await mx.close();
} else {
  throw new Error('usage: server-child.ts bare | update|patch <target> <callers> <ms>');
}
