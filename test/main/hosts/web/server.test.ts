import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { contentSecurityPolicy, startWebHost, type WebHost } from '../../../../src/main/hosts/web/server';
import type { ApiBackend, EventListener } from '../../../../src/main/api/backend';
import type { WsServerMessage } from '../../../../src/shared/api';

const TOKEN = 'test-token-0123456789';
let host: WebHost;
const calls: { method: string; req: unknown }[] = [];
let emit: EventListener = () => {};

const backend: ApiBackend = {
  async handle(method, req) {
    calls.push({ method, req });
    if (method === 'getMap') return null as never;
    return { ok: true } as never;
  },
  subscribe(listener) {
    emit = listener;
    return () => {};
  },
};

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'foresight-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Foresight</title>');
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
  host = await startWebHost({ backend, rendererDir: dir, token: TOKEN });
});
afterAll(async () => host?.close());

function base(): string {
  return `http://127.0.0.1:${host.port}`;
}

function openWs(query: string, origin: string | undefined): Promise<{ ws: WebSocket | null; status: number | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api${query}`, origin ? { origin } : {});
    ws.on('open', () => resolve({ ws, status: null }));
    ws.on('unexpected-response', (_req, res) => resolve({ ws: null, status: res.statusCode ?? null }));
    ws.on('error', () => resolve({ ws: null, status: -1 }));
  });
}

function request(ws: WebSocket, payload: unknown): Promise<WsServerMessage> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as WsServerMessage));
    ws.send(JSON.stringify(payload));
  });
}

describe('web host', () => {
  it('makes a new token at each start, good for the whole run of that host (as the README says) and refused by the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'foresight-web-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Foresight</title>');
    // Its own backend: the shared one's event hook belongs to the suite's host.
    const quiet: ApiBackend = { handle: async () => ({ ok: true }) as never, subscribe: () => () => {} };
    const first = await startWebHost({ backend: quiet, rendererDir: dir });
    const firstToken = new URL(first.url).searchParams.get('token')!;
    expect(firstToken.length).toBeGreaterThanOrEqual(32);
    // Reused by a second browser while this host runs: served (the README says so).
    expect((await fetch(first.url)).status).toBe(200);
    expect((await fetch(first.url)).status).toBe(200);
    await first.close();
    const second = await startWebHost({ backend: quiet, rendererDir: dir });
    try {
      expect(new URL(second.url).searchParams.get('token')).not.toBe(firstToken);
      expect((await fetch(`http://127.0.0.1:${second.port}/?token=${firstToken}`)).status).toBe(401);
    } finally {
      await second.close();
    }
    const readme = (await import('node:fs')).readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    expect(readme).not.toMatch(/one-time/i);
    expect(readme).toMatch(/new each time the console starts|anew each time the console starts/);
  });

  it('binds to loopback and prints a URL with the token', () => {
    expect(host.host).toBe('127.0.0.1');
    expect(host.url).toBe(`${base()}/?token=${TOKEN}`);
  });

  it('refuses HTTP without the token and serves with it, setting a strict cookie for assets', async () => {
    expect((await fetch(`${base()}/`)).status).toBe(401);
    expect((await fetch(`${base()}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${base()}/?token=wrong`)).status).toBe(401);
    const ok = await fetch(`${base()}/?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const asset = await fetch(`${base()}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect(await asset.text()).toContain('console.log');
  });

  it("sends the built page's own CSP (scripts by hash) and forbids framing", () => {
    const page = '<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; script-src \'strict-dynamic\' \'sha384-abc\'" />';
    expect(contentSecurityPolicy(page)).toBe("default-src 'self'; script-src 'strict-dynamic' 'sha384-abc'; frame-ancestors 'none'");
    // A page without a policy of its own still gets a strict one.
    expect(contentSecurityPolicy('<html></html>')).toMatch(/script-src 'self'.*frame-ancestors 'none'$/);
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await fetch(`${base()}/..%2f..%2fetc%2fpasswd?token=${TOKEN}`);
    expect(res.status).toBe(404);
  });

  it('refuses a WebSocket without the token or from a foreign Origin', async () => {
    expect((await openWs('', base())).status).toBe(401);
    expect((await openWs(`?token=${TOKEN}`, 'https://evil.example')).status).toBe(403);
    expect((await openWs(`?token=${TOKEN}`, undefined)).status).toBe(403);
  });

  it('answers validated requests, rejects bad ones with a clear error, and pushes events', async () => {
    const { ws } = await openWs(`?token=${TOKEN}`, base());
    expect(ws).not.toBeNull();
    const good = await request(ws!, { id: 1, method: 'teleop', req: { linear: 0.5, angular: 0 } });
    expect(good).toEqual({ id: 1, ok: true, res: { ok: true } });
    expect(calls.at(-1)).toEqual({ method: 'teleop', req: { linear: 0.5, angular: 0 } });
    const bad = await request(ws!, { id: 2, method: 'teleop', req: { linear: 9, angular: 0 } });
    expect(bad).toMatchObject({ id: 2, ok: false, error: expect.stringContaining('linear') });
    const unknown = await request(ws!, { id: 3, method: 'eval', req: 'process.exit()' });
    expect(unknown).toMatchObject({ id: 3, ok: false });
    expect(calls.length).toBe(1);
    const pushed = new Promise<WsServerMessage>((r) => ws!.once('message', (d) => r(JSON.parse(d.toString()))));
    emit('event', { t: 1, level: 'warn', message: 'hello' });
    expect(await pushed).toEqual({ event: 'event', payload: { t: 1, level: 'warn', message: 'hello' } });
    ws!.close();
  });
});
