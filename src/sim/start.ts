/**
 * Starting the simulated robot inside a Node process: world + SimCore + SimRobot + the
 * real-time driver + a transport (a pseudo-terminal the console opens as a serial port, or
 * a TCP listener on loopback). Used by `foresight sim` and by the console's "start the
 * built-in simulator" action.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { APARTMENT_PLACES, APARTMENT_START_POSE } from './apartment';
import { builtinApartmentYamlPath, loadMapFile } from './map-file';
import { createPseudoTerminal, type PseudoTerminal } from './pty';
import { RealTimeDriver } from './realtime';
import { SimCore, type SimConfig } from './sim-core';
import { SimRobot } from './sim-robot';

export type SimTransportOptions =
  /** A pseudo-terminal; `linkPath` adds a stable symlink to its device. */
  | { kind: 'pty'; linkPath?: string }
  /** A TCP listener; port 0 picks a free one. Host defaults to 127.0.0.1. */
  | { kind: 'tcp'; port: number; host?: string };

export interface StartSimulatorOptions {
  transport: SimTransportOptions;
  /** Seed of every random stream (default 1). */
  seed?: number;
  /** map_server YAML; default the built-in apartment. */
  mapYaml?: string;
  /** People in the crowd (default 3 in the built-in apartment, 0 on other maps). */
  people?: number;
  /** Anything else for SimCore (start pose, robot overrides, scripted people, boxes…). */
  config?: Partial<Omit<SimConfig, 'map' | 'seed'>>;
}

export interface RunningSimulator {
  /** What a client connects to: the device path (or its symlink) or `host:port`. */
  endpoint: string;
  transport: 'pty' | 'tcp';
  /** pty: the slave device, e.g. /dev/pts/5. */
  devicePath?: string;
  /** tcp: the bound address. */
  host?: string;
  port?: number;
  core: SimCore;
  robot: SimRobot;
  /** Stops the simulation and closes the transport. Idempotent. */
  close(): Promise<void>;
}

/** Builds the SimCore a CLI or console start would run, without any transport. */
export function createSimCore(options: Omit<StartSimulatorOptions, 'transport'> = {}): SimCore {
  const builtin = options.mapYaml === undefined || resolve(options.mapYaml) === builtinApartmentYamlPath();
  const map = loadMapFile(options.mapYaml ?? builtinApartmentYamlPath());
  const count = options.people ?? (builtin ? 3 : 0);
  const extra = options.config ?? {};
  return new SimCore({
    ...extra,
    map,
    seed: options.seed ?? 1,
    startPose: extra.startPose ?? (builtin ? APARTMENT_START_POSE : undefined),
    crowd: extra.crowd ?? (count > 0 ? { count, places: builtin ? Object.values(APARTMENT_PLACES) : undefined } : undefined),
  });
}

/** Starts the simulated robot in this process and begins running it in real time. */
export async function startSimulator(options: StartSimulatorOptions): Promise<RunningSimulator> {
  const core = createSimCore(options);
  const robot = new SimRobot(core);
  const driver = new RealTimeDriver(robot);
  if (options.transport.kind === 'pty') {
    const pty = await createPseudoTerminal({ linkPath: options.transport.linkPath });
    return runOverPty(pty, core, robot, driver);
  }
  return runOverTcp(options.transport.port, options.transport.host ?? '127.0.0.1', core, robot, driver);
}

function runOverPty(pty: PseudoTerminal, core: SimCore, robot: SimRobot, driver: RealTimeDriver): RunningSimulator {
  robot.attach({ write: (bytes) => pty.write(bytes) });
  pty.onData((chunk) => robot.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  driver.start();
  let closing: Promise<void> | null = null;
  return {
    endpoint: pty.linkPath ?? pty.path,
    transport: 'pty',
    devicePath: pty.path,
    core,
    robot,
    close() {
      closing ??= (async () => {
        driver.stop();
        robot.detach();
        await pty.close();
      })();
      return closing;
    },
  };
}

async function runOverTcp(port: number, host: string, core: SimCore, robot: SimRobot, driver: RealTimeDriver): Promise<RunningSimulator> {
  let current: Socket | null = null;
  const server: Server = createServer((socket) => {
    // One host at a time, like a serial port: a new connection replaces a stale one.
    current?.destroy();
    current = socket;
    socket.setNoDelay(true);
    const sink = {
      write: (bytes: Uint8Array) => {
        if (!socket.destroyed) socket.write(bytes);
      },
    };
    robot.attach(sink);
    socket.on('data', (chunk: Buffer) => robot.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      robot.detach(sink);
      if (current === socket) current = null;
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  driver.start();
  let closing: Promise<void> | null = null;
  return {
    endpoint: `${host}:${boundPort}`,
    transport: 'tcp',
    host,
    port: boundPort,
    core,
    robot,
    close() {
      closing ??= (async () => {
        driver.stop();
        current?.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
