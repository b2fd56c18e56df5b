/**
 * `foresight serve`: the console's web host against a robot. Prints the loopback URL (with
 * its one-time token) as soon as the host listens, then connects to the robot.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectRequest } from '../../../shared/api';
import { UsageError, type CliCommand } from '../command';
import { createConsoleCore } from '../../core/create';
import { startWebHost } from '../../hosts/web/server';
import { listPorts } from '../../link';
import { resolveRunsDbPath } from '../../recorder';
import { RPLIDAR_BAUD_RATES } from '../../robot/rplidar/driver';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const usage = `Usage: foresight serve (--port PATH [--baud N] | --tcp HOST:PORT | --sim | --auto) [options]

Runs the console's web host against a robot and prints the URL to open.

Robot:
  --port PATH        serial device of the robot (e.g. /dev/ttyACM0)
  --baud N           serial line rate (default 921600; USB CDC ignores it)
  --tcp HOST:PORT    a robot reachable over TCP
  --sim              start the built-in simulated robot (over a pseudo-terminal)
  --auto             the first USB serial robot found, else the simulator

Separate lidar (its scans replace the robot's own):
  --lidar PATH       serial device of a Slamtec RPLIDAR (e.g. /dev/ttyUSB0)
  --lidar-baud N     115200 (A1, A2M8; default), 256000 (A2M12, A3), 460800 or 1000000 (S-series)
  --lidar-mount X,Y,YAW  where it sits on the robot: base_link metres and radians (default 0,0,0)

Options:
  --map FILE.yaml    map to show and plan on (ROS map_server YAML; default: the apartment)
  --seed N           simulator seed (default 1)
  --http-port N      port of the web host (default: a free one)
  --host ADDR        bind address (default 127.0.0.1). Anything else exposes the console,
                     which can move the robot, to your network: only with --allow-remote
  --allow-remote     required with a non-loopback --host
  --db FILE          run database (default: the app's data folder)`;

function parseTcp(value: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UsageError(`--tcp wants HOST:PORT, got '${value}'`);
  return { host: m[1]!, port };
}

function parseLidar(path: string, baudText: string | undefined, mountText: string | undefined): NonNullable<ConnectRequest['lidar']> {
  const baud = baudText === undefined ? 115200 : Number(baudText);
  if (!(RPLIDAR_BAUD_RATES as readonly number[]).includes(baud)) throw new UsageError(`--lidar-baud wants one of ${RPLIDAR_BAUD_RATES.join(', ')}`);
  const parts = (mountText ?? '0,0,0').split(',').map(Number);
  if (parts.length !== 3 || !parts.every(Number.isFinite) || Math.abs(parts[2]!) > Math.PI) throw new UsageError('--lidar-mount wants X,Y,YAW (metres, metres, radians in [-π, π])');
  return { kind: 'rplidar', path, baud, mount: { x: parts[0]!, y: parts[1]!, yaw: parts[2]! } };
}

async function autoRequest(seed: number | undefined): Promise<ConnectRequest> {
  const ports = await listPorts();
  const usb = ports.find((p) => /tty(USB|ACM)|cu\.usb|COM\d+/.test(p.path));
  return usb ? { kind: 'serial', path: usb.path, baud: 921600 } : { kind: 'sim', seed };
}

const serve: CliCommand = {
  name: 'serve',
  summary: 'run the console (web host) against a robot',
  usage,
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        baud: { type: 'string' },
        tcp: { type: 'string' },
        sim: { type: 'boolean' },
        auto: { type: 'boolean' },
        map: { type: 'string' },
        seed: { type: 'string' },
        'http-port': { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        db: { type: 'string' },
        lidar: { type: 'string' },
        'lidar-baud': { type: 'string' },
        'lidar-mount': { type: 'string' },
      },
      strict: true,
    });
    const chosen = [values.port, values.tcp, values.sim, values.auto].filter((v) => v !== undefined && v !== false);
    if (chosen.length !== 1) throw new UsageError('name exactly one robot: --port, --tcp, --sim or --auto');
    const seed = values.seed !== undefined ? Number(values.seed) : undefined;
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError('--seed wants an integer');
    const baud = values.baud !== undefined ? Number(values.baud) : 921600;
    if (!Number.isInteger(baud) || baud <= 0) throw new UsageError('--baud wants a positive integer');
    const httpPort = values['http-port'] !== undefined ? Number(values['http-port']) : 0;
    if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) throw new UsageError('--http-port wants 0…65535');
    const host = values.host ?? '127.0.0.1';
    const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
    if (!loopback && !values['allow-remote']) {
      throw new UsageError(`--host ${host} would expose the console to the network; add --allow-remote if you mean it`);
    }

    const robot: ConnectRequest = values.port
      ? { kind: 'serial', path: values.port, baud }
      : values.tcp
        ? { kind: 'tcp', ...parseTcp(values.tcp) }
        : values.sim
          ? { kind: 'sim', seed }
          : await autoRequest(seed);
    const request: ConnectRequest = values.lidar ? { ...robot, lidar: parseLidar(values.lidar, values['lidar-baud'], values['lidar-mount']) } : robot;
    if (!values.lidar && (values['lidar-baud'] !== undefined || values['lidar-mount'] !== undefined)) throw new UsageError('--lidar-baud and --lidar-mount go with --lidar PATH');

    const dbPath = resolveRunsDbPath(values.db);
    const core = await createConsoleCore({ resourcesDir: join(ROOT, 'resources'), mapYaml: values.map, simSeed: seed, dbPath });
    for (const w of core.warnings) process.stderr.write(`foresight serve: ${w}\n`);
    if (core.warnings.length === 0) process.stdout.write(`Recording runs to ${dbPath}\n`);
    const web = await startWebHost({ backend: core, rendererDir: join(ROOT, 'out', 'renderer'), host: loopback ? '127.0.0.1' : host, port: httpPort });
    if (!loopback) {
      process.stderr.write(`\n!!! WARNING: the console is reachable from the network on ${host}:${web.port}.\n!!! Anyone with the link can drive the robot. Use only on a network you trust.\n\n`);
    }
    process.stdout.write(`Foresight console: ${web.url}\n`);
    const what = request.kind === 'sim' ? 'the built-in simulated robot' : request.kind === 'serial' ? request.path : `${request.host}:${request.port}`;
    process.stdout.write(`Connecting to ${what}${request.lidar ? ` with the lidar on ${request.lidar.path}` : ''}…\n`);
    const res = await core.connect(request);
    if (!res.ok) process.stderr.write(`foresight serve: ${res.error}\n`);
    core.subscribe((event, payload) => {
      if (event === 'event') {
        const e = payload as { level: string; message: string };
        process.stdout.write(`[${e.level}] ${e.message}\n`);
      }
    });

    await new Promise<void>((resolve) => {
      let stopping = false;
      // The first signal stops gracefully (Stop to the robot, run closed); later ones must
      // not cut that short, but a wedged shutdown still ends within 5 s.
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        setTimeout(() => process.exit(1), 5000).unref();
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stdout.write('Stopping: sending Stop to the robot…\n');
    await core.shutdown();
    await web.close();
    return 0;
  },
};

export default serve;
