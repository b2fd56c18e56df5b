import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RobotLink, type LinkStateChange } from '../../../src/main/link/robot-link';
import { TcpTransport } from '../../../src/main/link/tcp-transport';
import { ScriptedRobot } from './scripted-robot';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP robot on loopback: one ScriptedRobot per accepted connection. */
async function tcpRobot(port = 0): Promise<{ server: Server; port: number; sockets: Socket[]; robots: ScriptedRobot[] }> {
  const sockets: Socket[] = [];
  const robots: ScriptedRobot[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    robots.push(new ScriptedRobot({ write: (b) => socket.write(b), onData: (cb) => socket.on('data', cb) }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => {
    for (const r of robots) r.stop();
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  cleanup.push(close);
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { server, port: address.port, sockets, robots };
}

function waitForState(link: RobotLink, state: string, timeoutMs: number): Promise<LinkStateChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${state}' within ${timeoutMs} ms (${link.message})`)), timeoutMs);
    const off = link.on('state', (s) => {
      if (s.state === state) { clearTimeout(timer); off(); resolve(s); }
    });
  });
}

describe('TcpTransport', () => {
  it('handshakes with a robot over TCP and streams commands', async () => {
    const robot = await tcpRobot();
    const link = new RobotLink({ transport: new TcpTransport({ host: '127.0.0.1', port: robot.port }) });
    cleanup.push(() => link.dispose());
    const connected = waitForState(link, 'connected', 2000);
    link.connect();
    await connected;
    expect(link.status().endpoint).toBe(`127.0.0.1:${robot.port}`);
    link.setVelocity({ v: 0.25, w: 0 });
    await sleep(300);
    const commands = robot.robots[0]!.framesOf('velocity-command');
    expect(commands.length).toBeGreaterThanOrEqual(5);
    expect(commands.some((c) => c.frame.msg.v === 0.25)).toBe(true);
    expect(link.rttMs).not.toBeNull();
  });

  it('reports the peer closing as a lost link and reconnects when it listens again', async () => {
    const robot = await tcpRobot();
    const link = new RobotLink({ transport: new TcpTransport({ host: '127.0.0.1', port: robot.port }) });
    cleanup.push(() => link.dispose());
    const connected = waitForState(link, 'connected', 2000);
    link.connect();
    await connected;

    const lost = waitForState(link, 'lost', 1000);
    const closedAt = performance.timeOrigin + performance.now();
    for (const r of robot.robots) r.stop();
    for (const s of robot.sockets) s.destroy();
    await new Promise<void>((resolve) => robot.server.close(() => resolve()));
    const change = await lost;
    // A closed socket is noticed at once, not after the 500 ms silence timeout.
    expect(change.atMs - closedAt).toBeLessThan(200);
    expect(change.message).toMatch(/Link lost: .*127\.0\.0\.1/);

    await sleep(400);
    expect(link.state).toBe('lost');
    const back = waitForState(link, 'connected', 3000);
    await tcpRobot(robot.port);
    await back;
    expect(link.status().reconnects).toBe(1);
  });

  it('fails to open a port nobody listens on with a typed error', async () => {
    const robot = await tcpRobot();
    const port = robot.port;
    await new Promise<void>((resolve) => robot.server.close(() => resolve()));
    const transport = new TcpTransport({ host: '127.0.0.1', port });
    const result = await transport.open();
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('not-found');
      expect(result.error.message).toContain(`127.0.0.1:${port}`);
    }
    expect(transport.isOpen).toBe(false);
    expect(transport.write(new Uint8Array([1]))).toBe(false);
  });

  it('refuses writes while the send queue is backed up, instead of delivering stale commands late', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => { socket.pause(); sockets.push(socket); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }));
    const port = (server.address() as { port: number }).port;
    const transport = new TcpTransport({ host: '127.0.0.1', port, maxBacklogBytes: 1024, drainTimeoutMs: 10 });
    cleanup.push(() => transport.close());
    const errors: string[] = [];
    transport.onError((e) => errors.push(e.message));
    expect((await transport.open()).ok).toBe(true);
    // Far more than loopback socket buffers hold, to a peer that does not read.
    expect(transport.write(new Uint8Array(32 * 1024 * 1024))).toBe(true);
    expect(transport.write(new Uint8Array(20))).toBe(false);
    expect(transport.write(new Uint8Array(20))).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/send queue full/);
  });
});

describe('TcpTransport close while connecting', () => {
  it('settles open() and leaves nothing open', async () => {
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const transport = new TcpTransport({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
    const opening = transport.open();
    await transport.close();
    const result = await opening;
    expect(result.ok).toBe(false);
    expect(transport.isOpen).toBe(false);
    expect((await transport.open()).ok).toBe(true);
    await transport.close();
  });
});
