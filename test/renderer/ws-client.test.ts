import { describe, expect, it } from 'vitest';
import { WsApiClient, wsUrlFor, type SocketLike, type Timers } from '../../src/renderer/api/ws-client';
import type { ConsoleEvent, WsClientMessage } from '../../src/shared/api';
import type { TransportStatus } from '../../src/renderer/api/transport';

class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  sent: WsClientMessage[] = [];
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as WsClientMessage);
  }
  close(): void {
    this.readyState = 3;
  }
  // test helpers
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  reply(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

class FakeTimers implements Timers {
  private next = 1;
  readonly pending = new Map<number, { fn: () => void; due: number }>();
  now = 0;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, due: this.now + ms });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  advance(ms: number): void {
    this.now += ms;
    for (const [id, t] of [...this.pending].sort((a, b) => a[1].due - b[1].due)) {
      if (t.due <= this.now && this.pending.delete(id)) t.fn();
    }
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers = new FakeTimers();
  const client = new WsApiClient({
    url: 'ws://h/api?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    timers,
    requestTimeoutMs: 1000,
    reconnectDelayMs: 100,
    maxReconnectDelayMs: 400,
  });
  const statuses: TransportStatus[] = [];
  client.onStatus((s) => statuses.push(s));
  return { client, sockets, timers, statuses };
}

describe('WebSocket API client', () => {
  it('builds the URL from the page: same host, WS path, token', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '127.0.0.1:8123', search: '?token=a%2Bb&x=1' }, '/api')).toBe('ws://127.0.0.1:8123/api?token=a%2Bb');
    expect(wsUrlFor({ protocol: 'https:', host: 'h', search: '' }, '/api')).toBe('wss://h/api?token=');
  });

  it('matches responses to requests by id, in any order', async () => {
    const { client, sockets } = setup();
    const s = sockets[0];
    s.open();
    const a = client.invoke('listPorts', null);
    const b = client.invoke('setGoal', { x: 1, y: 2, theta: 0 });
    expect(s.sent.map((m) => m.method)).toEqual(['listPorts', 'setGoal']);
    expect(s.sent[1].req).toEqual({ x: 1, y: 2, theta: 0 });
    const [ia, ib] = s.sent.map((m) => m.id);
    expect(ia).not.toBe(ib);
    s.reply({ id: ib, ok: false, error: 'goal-occupied' });
    s.reply({ id: ia, ok: true, res: [{ path: '/dev/ttyACM0', label: '', source: 'system' }] });
    await expect(a).resolves.toEqual([{ path: '/dev/ttyACM0', label: '', source: 'system' }]);
    await expect(b).rejects.toThrow('goal-occupied');
    expect(client.pendingCount).toBe(0);
  });

  it('ignores unknown ids and junk, and times out unanswered requests', async () => {
    const { client, sockets, timers } = setup();
    sockets[0].open();
    const p = client.invoke('getMap', null);
    sockets[0].reply({ id: 999, ok: true, res: 1 });
    sockets[0].onmessage?.({ data: 'not json' });
    timers.advance(1001);
    await expect(p).rejects.toThrow(/no answer/);
    expect(client.pendingCount).toBe(0);
  });

  it('dispatches events to listeners and stops after unsubscribe', () => {
    const { client, sockets } = setup();
    sockets[0].open();
    const got: ConsoleEvent[] = [];
    const off = client.on('event', (e) => got.push(e));
    const ev: ConsoleEvent = { t: 1, level: 'info', message: 'hi' };
    sockets[0].reply({ event: 'event', payload: ev });
    sockets[0].reply({ event: 'snapshot', payload: {} });
    off();
    sockets[0].reply({ event: 'event', payload: ev });
    expect(got).toEqual([ev]);
  });

  it('refuses requests while not connected instead of queueing them', async () => {
    const { client, sockets } = setup();
    await expect(client.invoke('teleop', { linear: 1, angular: 0 })).rejects.toThrow(/Not connected/);
    expect(sockets[0].sent).toHaveLength(0);
  });

  it('fails pending requests on drop, reports it, and reconnects with backoff', async () => {
    const { client, sockets, timers, statuses } = setup();
    sockets[0].open();
    expect(client.status.state).toBe('open');
    const p = client.invoke('getSnapshot', null);
    sockets[0].drop(1006);
    await expect(p).rejects.toThrow(/connection to the console lost/);
    expect(client.status.state).toBe('reconnecting');
    expect(sockets).toHaveLength(1);
    timers.advance(100);
    expect(sockets).toHaveLength(2);
    sockets[1].drop(1006); // still down: next delay doubles
    timers.advance(100);
    expect(sockets).toHaveLength(2);
    timers.advance(100);
    expect(sockets).toHaveLength(3);
    sockets[2].open();
    expect(client.status.state).toBe('open');
    expect(statuses.map((s) => s.state)).toEqual(['open', 'reconnecting', 'reconnecting', 'open']);
    // Works again on the new socket; late messages from the old one are ignored.
    const q = client.invoke('cancelGoal', null);
    sockets[0].reply({ id: sockets[2].sent[0].id, ok: false, error: 'stale' });
    sockets[2].reply({ id: sockets[2].sent[0].id, ok: true, res: { ok: true } });
    await expect(q).resolves.toEqual({ ok: true });
  });

  it('explains a refused token', () => {
    const { client, sockets } = setup();
    sockets[0].drop(1008, '');
    expect(client.status.message).toMatch(/access token/);
  });

  it('says when it never reached the console', () => {
    const { client, sockets } = setup();
    sockets[0].drop(1006);
    expect(client.status.message).toMatch(/Cannot reach the console/);
  });

  it('close() stops reconnecting', () => {
    const { client, sockets, timers } = setup();
    sockets[0].open();
    client.close();
    timers.advance(10_000);
    expect(sockets).toHaveLength(1);
    expect(client.status.state).toBe('closed');
  });
});
