/**
 * Web host: serves the renderer bundle over HTTP and the API over a WebSocket.
 *
 * Access control: a random per-start token is required on every HTTP request (in the URL
 * the operator opens, then as an HttpOnly SameSite=Strict cookie for the page's assets) and
 * on the WebSocket (query parameter), and the WebSocket's Origin must be this server's own.
 * It binds to 127.0.0.1 unless the caller passes another address explicitly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WS_PATH, type WsServerMessage } from '../../../shared/api';
import { validateRequest } from '../../api/validate';
import type { ApiBackend } from '../../api/backend';

export interface WebHostOptions {
  backend: ApiBackend;
  /** Folder with the built renderer (index.html and assets). */
  rendererDir: string;
  /** Bind address; 127.0.0.1 unless the operator asked for another explicitly. */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
}

export interface WebHost {
  /** The URL to open, token included. */
  url: string;
  port: number;
  host: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const COOKIE = 'foresight_token';
/** Largest WebSocket message accepted from a client, bytes: requests are small. */
const MAX_WS_MESSAGE_BYTES = 64 * 1024;

/** The policy when a page carries none of its own (a bundle built without vite.csp.ts). */
const FALLBACK_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The header CSP: the built page's own policy (scripts by hash, set at build time by
 * vite.csp.ts), plus what only a header can say: this page is never framed.
 */
export function contentSecurityPolicy(indexHtml: string): string {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(indexHtml);
  return `${meta ? meta[1]! : FALLBACK_CSP}; frame-ancestors 'none'`;
}

function tokensEqual(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return null;
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const bindHost = opts.host ?? '127.0.0.1';
  const rendererDir = resolve(opts.rendererDir);
  let csp: string;
  try {
    csp = contentSecurityPolicy(await readFile(join(rendererDir, 'index.html'), 'utf8'));
  } catch {
    throw new Error(`renderer bundle not found in ${rendererDir} (run \`npm run build:web\`)`);
  }

  let ownOrigins: string[] = [];

  const server: Server = createServer((req, res) => {
    void serveHttp(req, res);
  });

  async function serveHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const queryToken = url.searchParams.get('token');
    const authorized = tokensEqual(queryToken, token) || tokensEqual(cookieToken(req), token);
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    if (!authorized) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Foresight: this console needs the access link printed when it started (with ?token=…).\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (tokensEqual(queryToken, token)) {
      res.setHeader('Set-Cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(rendererDir + sep)) {
      res.writeHead(404);
      res.end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_MESSAGE_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const origin = req.headers.origin;
    const reject = (status: number, why: string): void => {
      socket.write(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== WS_PATH) return reject(404, 'Not Found');
    if (!tokensEqual(url.searchParams.get('token'), token)) return reject(401, 'Unauthorized');
    // Browsers always send Origin on WebSocket handshakes; a page from any other origin
    // (a web site the operator visits) must not reach the robot.
    if (!origin || !ownOrigins.includes(origin)) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const clients = new Set<WebSocket>();
  const unsubscribe = opts.backend.subscribe((event, payload) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ event, payload } satisfies WsServerMessage);
    for (const ws of clients) {
      // Drop snapshots for a client that is not keeping up rather than queueing without bound.
      if (event === 'snapshot' && ws.bufferedAmount > 1_000_000) continue;
      ws.send(text);
    }
  });

  function attach(ws: WebSocket): void {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      void answer(ws, data.toString(), isBinary);
    });
  }

  async function answer(ws: WebSocket, text: string, isBinary: boolean): Promise<void> {
    let id = -1;
    const reply = (msg: WsServerMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    if (isBinary) return reply({ id, ok: false, error: 'binary messages are not part of the API' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return reply({ id, ok: false, error: 'request is not JSON' });
    }
    if (typeof parsed !== 'object' || parsed === null) return reply({ id, ok: false, error: 'request is not an object' });
    const msg = parsed as Record<string, unknown>;
    if (typeof msg.id !== 'number' || !Number.isSafeInteger(msg.id)) return reply({ id, ok: false, error: 'request id must be an integer' });
    id = msg.id;
    const valid = validateRequest(msg.method, msg.req ?? null);
    if (!valid.ok) return reply({ id, ok: false, error: valid.error });
    try {
      const res = await opts.backend.handle(valid.method, valid.req as never);
      reply({ id, ok: true, res });
    } catch (err) {
      reply({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  }

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(opts.port ?? 0, bindHost, () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const urlHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  ownOrigins = [`http://${urlHost}:${address.port}`];
  if (bindHost === '127.0.0.1') ownOrigins.push(`http://localhost:${address.port}`);

  return {
    url: `http://${urlHost}:${address.port}/?token=${token}`,
    port: address.port,
    host: bindHost,
    close: async () => {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
