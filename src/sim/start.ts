/**
 * Starting the simulated robot inside a Node process: world + SimCore + the robot's firmware
 * emulator (SimRobot for the reference robot; TurtleBot3, MAVLink, Create 2 or Kobuki per
 * robot profile) + optionally a lidar emulator on its own pseudo-terminal, all on one SimRig
 * run in real time; the base is reached over a pseudo-terminal the console opens as a serial
 * port, or a TCP listener on loopback. Used by `foresight sim` and by the console's "start the
 * built-in simulator" action.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import type { LidarProfile, RobotProfile } from '../shared/robots';
import { APARTMENT_PLACES, APARTMENT_START_POSE } from './apartment';
import { createBaseEmulator, createLidarEmulator, robotParamsFor, SimRig, type DeviceEmulator } from './emulators';
import { plugIntoPty } from './emulators/on-pty';
import { builtinApartmentYamlPath, loadMapFile } from './map-file';
import { createPseudoTerminal, type PseudoTerminal } from './pty';
import { RealTimeDriver } from './realtime';
import type { DriftSetting } from './drift';
import { HOME_ROBOT } from './robot-params';
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
  /**
   * Odometry drift and lidar faults (default 'off'; `foresight sim --drift typical`: the robot
   * profile's own odometry error). Wins over `config.drift`. See DriftSetting in ./drift.
   */
  drift?: DriftSetting;
  /** Anything else for SimCore (start pose, robot overrides, scripted people, boxes…). */
  config?: Partial<Omit<SimConfig, 'map' | 'seed'>>;
  /** The robot to be: its protocol, body and limits. Default the reference robot (link protocol v1, built-in lidar). */
  robot?: RobotProfile;
  /** A lidar on its own pseudo-terminal, streaming in its device's protocol. */
  lidar?: LidarProfile | null;
  /** With a lidar: a stable symlink to its pty. */
  lidarLinkPath?: string;
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
  /** The separate lidar's pty (its symlink when one was asked for). */
  lidarPath?: string;
  core: SimCore;
  /** The base's firmware emulator (a SimRobot for the reference robot). */
  robot: DeviceEmulator;
  /** Stops the simulation and closes the transport. Idempotent. */
  close(): Promise<void>;
}

/** Builds the SimCore a CLI or console start would run, without any transport. */
export function createSimCore(options: Omit<StartSimulatorOptions, 'transport'> = {}): SimCore {
  const builtin = options.mapYaml === undefined || resolve(options.mapYaml) === builtinApartmentYamlPath();
  const map = loadMapFile(options.mapYaml ?? builtinApartmentYamlPath());
  const count = options.people ?? (builtin ? 3 : 0);
  const extra = options.config ?? {};
  // A robot profile other than the reference robot's, or a separate lidar, shapes the body,
  // limits and lidar of the simulated robot.
  // The reference robot's own profile still brings its odometry error (used with drift on).
  const robot = options.robot;
  const fromProfile = robot && (robot.driver !== 'foresight' || options.lidar)
    ? robotParamsFor(robot, options.lidar ?? null)
    : robot?.odometryError ? { ...HOME_ROBOT, odometryError: robot.odometryError } : undefined;
  return new SimCore({
    ...extra,
    drift: options.drift ?? extra.drift,
    baseRobot: extra.baseRobot ?? fromProfile,
    map,
    seed: options.seed ?? 1,
    startPose: extra.startPose ?? (builtin ? APARTMENT_START_POSE : undefined),
    crowd: extra.crowd ?? (count > 0 ? { count, places: builtin ? Object.values(APARTMENT_PLACES) : undefined } : undefined),
  });
}

/** Starts the simulated robot in this process and begins running it in real time. */
export async function startSimulator(options: StartSimulatorOptions): Promise<RunningSimulator> {
  const core = createSimCore(options);
  const robot = options.robot ? createBaseEmulator(core, options.robot) : new SimRobot(core);
  const lidar = options.lidar ? createLidarEmulator(core, options.lidar) : null;
  const rig = new SimRig(core, lidar ? [robot, lidar] : [robot]);
  const driver = new RealTimeDriver(rig);
  // Pongs report receive times on the real-time clock, not the (up to one step behind) sim time.
  if (robot instanceof SimRobot) robot.clock = rig.clock;
  const lidarPty = lidar ? await createPseudoTerminal({ linkPath: options.lidarLinkPath }) : null;
  if (lidar && lidarPty) plugIntoPty(lidarPty, lidar);
  const base = options.transport.kind === 'pty'
    ? runOverPty(await createPseudoTerminal({ linkPath: options.transport.linkPath }), robot)
    : await runOverTcp(options.transport.port, options.transport.host ?? '127.0.0.1', robot);
  driver.start();
  let closing: Promise<void> | null = null;
  return {
    ...base.where,
    lidarPath: lidarPty ? (lidarPty.linkPath ?? lidarPty.path) : undefined,
    core,
    robot,
    close() {
      closing ??= (async () => {
        driver.stop();
        await base.close();
        await lidarPty?.close();
      })();
      return closing;
    },
  };
}

type Where = Pick<RunningSimulator, 'endpoint' | 'transport' | 'devicePath' | 'host' | 'port'>;

function runOverPty(pty: PseudoTerminal, robot: DeviceEmulator): { where: Where; close(): Promise<void> } {
  plugIntoPty(pty, robot);
  return {
    where: { endpoint: pty.linkPath ?? pty.path, transport: 'pty', devicePath: pty.path },
    close: () => pty.close(),
  };
}

async function runOverTcp(port: number, host: string, robot: DeviceEmulator): Promise<{ where: Where; close(): Promise<void> }> {
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
  return {
    where: { endpoint: `${host}:${boundPort}`, transport: 'tcp', host, port: boundPort },
    async close() {
      current?.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
