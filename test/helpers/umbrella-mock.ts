import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the mock received. */
export interface MockRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** What the mock answers a request with: a status, headers and a body (a JSON value is serialised). */
export interface MockAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Never answer (a server that hangs). */
  readonly hang?: boolean;
}

/** Umbrella's answer for `names`: status and categories from `known`, else unknown with none. */
export function categorization(names: readonly string[], known: Record<string, { status: number; security?: string[]; content?: string[] }>) {
  return Object.fromEntries(
    names.map((n) => {
      const k = known[n];
      return [n, { status: k?.status ?? 0, security_categories: k?.security ?? [], content_categories: k?.content ?? [] }];
    }),
  );
}

/**
 * A local stand-in for Umbrella Investigate on 127.0.0.1: each request is recorded and answered by `answer`
 * (default: every name unknown). Tests never reach the real service.
 */
export async function startUmbrellaMock(answer: (request: MockRequest, index: number) => MockAnswer = () => ({})) {
  const requests: MockRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(request);
      const a = answer(request, requests.length - 1);
      if (a.hang) return;
      const names = safeNames(body);
      const payload = a.body === undefined ? categorization(names, {}) : a.body;
      res.writeHead(a.status ?? 200, { 'Content-Type': 'application/json', ...a.headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function safeNames(body: string): string[] {
  try {
    const names: unknown = JSON.parse(body);
    return Array.isArray(names) ? names.map(String) : [];
  } catch {
    return [];
  }
}
