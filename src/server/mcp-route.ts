import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { problemOf } from '../contract/problem.js';
import { createMcpServer } from '../mcp/server.js';
import { scopeFor, sendProblem, type ServerParts } from './parts.js';

interface Session {
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
  /** The token that opened the session (`''` without tokens): only it may use the session. */
  readonly principal: string;
}

const LOOPBACK_HOST = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/**
 * `/mcp`: the MCP tools over streamable HTTP, with sessions (`Mcp-Session-Id`). A session is opened
 * by an `initialize` request on `POST /mcp?ns=…` and bound to its namespace and to the token that
 * opened it; the token's namespace rules apply (a read token gets the read-only tools). As the MCP
 * specification requires against DNS rebinding, a request whose `Origin` is not allowed (CORS
 * origins, or none) is 403, and without tokens one whose `Host` is not a loopback name is 403 too.
 */
export function registerMcp(app: FastifyInstance, parts: ServerParts, corsOrigins: ReadonlySet<string>): void {
  const sessions = new Map<string, Session>();
  const refuse = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const origin = req.headers.origin;
    if (origin !== undefined && !corsOrigins.has(origin)) {
      void sendProblem(reply, problemOf('forbidden', 403, `Origin ${origin} may not call /mcp`));
      return true;
    }
    if (!parts.tokens && !LOOPBACK_HOST.test(req.headers.host ?? '')) {
      void sendProblem(reply, problemOf('forbidden', 403, `Host ${req.headers.host ?? '(none)'} is not this server’s`));
      return true;
    }
    return false;
  };
  const existing = (req: FastifyRequest, reply: FastifyReply): Session | undefined => {
    const id = req.headers['mcp-session-id'];
    const s = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!s) {
      void sendProblem(reply, problemOf('not_found', 404, 'no such MCP session (initialize first)'));
      return undefined;
    }
    if (s.principal !== (req.principal?.name ?? '')) {
      void sendProblem(reply, problemOf('forbidden', 403, 'this MCP session belongs to another token'));
      return undefined;
    }
    return s;
  };

  app.post('/mcp', async (req, reply) => {
    if (refuse(req, reply)) return reply;
    if (req.headers['mcp-session-id'] !== undefined) {
      const s = existing(req, reply);
      if (!s) return reply;
      reply.hijack();
      return s.transport.handleRequest(req.raw, reply.raw, req.body);
    }
    const ns = (req.query as { ns?: string }).ns;
    const write = scopeFor(parts, req, ns, 'write');
    const readOnly = 'status' in write;
    const scope = readOnly ? scopeFor(parts, req, ns, 'read') : write;
    if ('status' in scope) return sendProblem(reply, scope);
    const server = createMcpServer(parts.memex, { ns: scope.ns, readOnly });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { transport, server, principal: req.principal?.name ?? '' }),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    reply.hijack();
    return transport.handleRequest(req.raw, reply.raw, req.body);
  });
  for (const method of ['GET', 'DELETE'] as const)
    app.route({
      method,
      url: '/mcp',
      handler: async (req, reply) => {
        if (refuse(req, reply)) return reply;
        const s = existing(req, reply);
        if (!s) return reply;
        reply.hijack();
        return s.transport.handleRequest(req.raw, reply.raw);
      },
    });
  app.addHook('preClose', async () => {
    for (const s of [...sessions.values()]) await s.server.close().catch(() => undefined);
  });
}
