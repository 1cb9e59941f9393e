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

/** CORS headers that let a web page of any origin read the mock's answers (and send the API's headers). */
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept',
  'Access-Control-Expose-Headers': 'Retry-After',
};

/**
 * A local stand-in for Umbrella Investigate on 127.0.0.1: each request is recorded and answered by `answer`
 * (default: every name unknown). Tests never reach the real service. With `cors` (for a browser's requests) every
 * answer carries CORS headers and preflights (OPTIONS) are answered 204 and counted apart, not recorded.
 */
export async function startUmbrellaMock(answer: (request: MockRequest, index: number) => MockAnswer = () => ({}), { cors = false } = {}) {
  const requests: MockRequest[] = [];
  const preflights = { count: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (cors && req.method === 'OPTIONS') {
      preflights.count++;
      res.writeHead(204, CORS).end();
      return;
    }
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
      res.writeHead(a.status ?? 200, { 'Content-Type': 'application/json', ...(cors ? CORS : {}), ...a.headers });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    preflights,
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
