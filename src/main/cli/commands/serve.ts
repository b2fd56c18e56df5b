/**
 * `foresight serve`: the console's web host against a robot. Prints the loopback URL (with
 * its access token, new at each start) as soon as the host listens, then connects to the robot.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectRequest, ConsoleSnapshot, LinkState, LinkStatus } from '../../../shared/api';
import { UsageError, type CliCommand } from '../command';
import { createConsoleCore } from '../../core/create';
import { startWebHost } from '../../hosts/web/server';
import { listPorts } from '../../link';
import { resolveRunsDbPath } from '../../recorder';
import { findRobotProfile } from '../../robot/profiles';
import { cliCatalog, lidarOrUsage, robotOrUsage } from '../profiles';
import { proposeProfiles } from '../../robot/usb-match';
import type { ProfileCatalog } from '../../../shared/robots';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const usage = `Usage: foresight serve (--port PATH [--baud N] | --tcp HOST:PORT | --sim | --auto) [--robot NAME] [--lidar NAME:PATH] [options]

Runs the console's web host against a robot and prints the URL to open.

Robot:
  --robot NAME       robot profile (default foresight, the reference firmware); 'foresight robots'
                     lists them; a profile file's path works too
  --port PATH        serial device of the robot (e.g. /dev/ttyACM0)
  --baud N           serial line rate (default: the profile's; USB CDC ignores it)
  --tcp HOST:PORT    a robot reachable over TCP (Foresight link, MAVLink)
  --sim              start a simulated robot speaking the profile's protocol (over ptys)
  --auto             the first USB port whose ids match a robot profile (with --robot: that
                     robot's), else the simulator (the default when none of these is given)
  --allow-autonomy-without-deadman
                     allow goals on a robot that keeps driving when commands stop (Create 2,
                     Kobuki): if the cable is pulled mid-goal it drives on. Stay within reach.

Separate lidar (its scans replace the robot's own):
  --lidar NAME:PATH  lidar profile and its serial device, e.g. rplidar-a1:/dev/ttyUSB0,
                     lds-01:/dev/ttyUSB0. With --sim: --lidar NAME (the simulator runs it)
  --lidar-baud N     line rate (default: the lidar profile's)
  --lidar-mount X,Y,YAW  where it sits on the robot: base_link metres and radians
                     (default: the robot profile's lidar mount)

Options:
  --map FILE.yaml    map to show and plan on (ROS map_server YAML). Default: the apartment for
                     the simulator and the reference robot; the open floor (24 × 24 m, nothing
                     mapped, the robot at its centre) for any other real robot
  --initial-pose X,Y,THETA  where the robot stands on the map (metres, radians): its
                     odometry starts at zero wherever it was switched on
  --localization on|global|off
                     on (default with a map): a particle filter keeps the robot on the map,
                     starting from --initial-pose (or the simulator's start), else searching
                     the whole map; global: search the whole map; off: odometry only
                     (the default on the open floor, which has nothing to localize on)
  --new-map          build a new map while driving (SLAM); save it from the Map panel
  --drift off|typical  with --sim: odometry drift and lidar faults in the simulator (typical:
                     the profile's wheel-scale error, slip and noise; odometry from zero)
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

function parseLidar(spec: string, baudText: string | undefined, mountText: string | undefined, sim: boolean): NonNullable<ConnectRequest['lidar']> {
  const colon = spec.indexOf(':');
  const model = colon < 0 ? spec : spec.slice(0, colon);
  const path = colon < 0 ? undefined : spec.slice(colon + 1);
  if (!model) throw new UsageError(`--lidar wants NAME:PATH (e.g. rplidar-a1:/dev/ttyUSB0), got '${spec}'`);
  if (!path && !sim) throw new UsageError(`--lidar wants NAME:PATH: which port is the ${model} on? (e.g. ${model}:/dev/ttyUSB0)`);
  const baud = baudText === undefined ? undefined : Number(baudText);
  if (baud !== undefined && (!Number.isInteger(baud) || baud <= 0)) throw new UsageError('--lidar-baud wants a positive integer');
  let mount: { x: number; y: number; yaw: number } | undefined;
  if (mountText !== undefined) {
    const parts = mountText.split(',').map(Number);
    if (parts.length !== 3 || !parts.every(Number.isFinite) || Math.abs(parts[2]!) > Math.PI) throw new UsageError('--lidar-mount wants X,Y,YAW (metres, metres, radians in [-π, π])');
    mount = { x: parts[0]!, y: parts[1]!, yaw: parts[2]! };
  }
  return { model, ...(path ? { path } : {}), ...(baud ? { baud } : {}), ...(mount ? { mount } : {}) };
}

/**
 * The first USB port whose ids match a robot profile (with `robot`, that profile), else the
 * simulator: a port is never guessed from its name alone (--port names one).
 */
async function autoRequest(seed: number | undefined, robot: string | undefined, catalog: ProfileCatalog): Promise<ConnectRequest> {
  const ports = proposeProfiles(await listPorts(), catalog);
  const match = ports.find((p) => p.proposal?.robot && (robot === undefined || p.proposal.robot === robot));
  if (match) return { kind: 'serial', path: match.path, robot: robot ?? match.proposal!.robot };
  return { kind: 'sim', seed, robot };
}

/** How long a graceful stop may take before serve exits regardless, ms. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * Resolves with the exit code once serve is asked to end: Ctrl-C, SIGTERM, SIGHUP (the
 * terminal closed), EPIPE on stdout/stderr (`serve | head -4`: the reader is gone), or an
 * uncaught error. The first request stops gracefully; later ones must not cut
 * that short, but a wedged stop still ends the process within SHUTDOWN_GRACE_MS. Whatever
 * happens, the simulator child does not outlive serve (its lifeline, see core/lifeline).
 */
function stopRequests(): Promise<{ code: number }> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
      resolve({ code });
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(0));
    // Node ignores SIGPIPE and reports a closed pipe as an 'error' on the stream (unhandled, it
    // would crash serve). SIGPIPE stays ignored: a browser tab or TCP robot going away raises it
    // too, and that must not stop the console.
    process.stdout.on('error', () => stop(0));
    process.stderr.on('error', () => stop(0));
    const crashed = (err: unknown): void => {
      try {
        process.stderr.write(`foresight serve: unexpected error, stopping: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      } catch {
        // stderr is gone too: stop all the same.
      }
      stop(1);
    };
    process.on('uncaughtException', crashed);
    process.on('unhandledRejection', crashed);
  });
}

/** The link states in the words the console's status bar uses for them. */
const LINK_STATE_WORDS: Record<LinkState, string> = {
  disconnected: 'disconnected',
  connecting: 'connecting',
  handshaking: 'handshaking',
  connected: 'connected',
  lost: 'link lost',
  incompatible: 'incompatible robot',
};

/**
 * Prints the robot link's state and message, the words the UI shows, each time they change:
 * a message is said once while the state lasts, so a port that keeps failing the same way
 * (which alternates "opening …" and the reason with every retry) is not repeated.
 */
function linkReporter(print: (line: string) => void): { report(link: LinkStatus): void; hasSaid(message: string): boolean } {
  let state: LinkState | null = null;
  const said = new Set<string>();
  return {
    report(link) {
      if (link.state !== state) {
        state = link.state;
        said.clear();
      }
      if (said.has(link.message)) return;
      said.add(link.message);
      const where = link.endpoint && !link.message.includes(link.endpoint) ? ` (${link.endpoint})` : '';
      print(`Link ${LINK_STATE_WORDS[link.state]}: ${link.message}${where}\n`);
    },
    hasSaid: (message) => said.has(message),
  };
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
        robot: { type: 'string' },
        'allow-autonomy-without-deadman': { type: 'boolean' },
        'initial-pose': { type: 'string' },
        localization: { type: 'string' },
        'new-map': { type: 'boolean' },
        drift: { type: 'string' },
      },
      strict: true,
    });
    const chosen = [values.port, values.tcp, values.sim, values.auto].filter((v) => v !== undefined && v !== false);
    // No endpoint named: --auto (e.g. `npm start -- --robot kobuki`: the Kobuki on USB, else a simulated one).
    if (chosen.length > 1) throw new UsageError('name at most one robot: --port, --tcp, --sim or --auto');
    const seed = values.seed !== undefined ? Number(values.seed) : undefined;
    if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError('--seed wants an integer');
    const baud = values.baud !== undefined ? Number(values.baud) : undefined;
    if (baud !== undefined && (!Number.isInteger(baud) || baud <= 0)) throw new UsageError('--baud wants a positive integer');
    const catalog = cliCatalog();
    if (values.robot !== undefined) robotOrUsage(catalog, values.robot);
    const httpPort = values['http-port'] !== undefined ? Number(values['http-port']) : 0;
    if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) throw new UsageError('--http-port wants 0…65535');
    const host = values.host ?? '127.0.0.1';
    const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
    if (!loopback && !values['allow-remote']) {
      throw new UsageError(`--host ${host} would expose the console to the network; add --allow-remote if you mean it`);
    }

    const robot: ConnectRequest = values.port
      ? { kind: 'serial', path: values.port, ...(baud ? { baud } : {}), robot: values.robot }
      : values.tcp
        ? { kind: 'tcp', ...parseTcp(values.tcp), robot: values.robot }
        : values.sim
          ? { kind: 'sim', seed, robot: values.robot }
          : await autoRequest(seed, values.robot, catalog);
    if (!values.lidar && (values['lidar-baud'] !== undefined || values['lidar-mount'] !== undefined)) throw new UsageError('--lidar-baud and --lidar-mount go with --lidar NAME:PATH');
    const lidar = values.lidar ? parseLidar(values.lidar, values['lidar-baud'], values['lidar-mount'], robot.kind === 'sim') : undefined;
    if (lidar) lidarOrUsage(catalog, lidar.model);
    let initialPose: ConnectRequest['initialPose'];
    if (values['initial-pose'] !== undefined) {
      const parts = values['initial-pose'].split(',').map(Number);
      if (parts.length !== 3 || !parts.every(Number.isFinite)) throw new UsageError('--initial-pose wants X,Y,THETA (metres, metres, radians)');
      initialPose = { x: parts[0]!, y: parts[1]!, theta: parts[2]! };
    }
    const request: ConnectRequest = {
      ...robot,
      ...(lidar ? { lidar } : {}),
      ...(values['allow-autonomy-without-deadman'] ? { allowAutonomyWithoutDeadman: true } : {}),
      ...(initialPose ? { initialPose } : {}),
    };
    // A real robot other than the reference one is not in our apartment: without a map of its
    // place it gets the open floor, where it starts at the centre and sees what is in the way.
    const realOtherRobot = robot.kind !== 'sim' && robot.robot !== undefined && findRobotProfile(catalog, robot.robot).driver !== 'foresight';
    const mapYaml = values.map ?? (realOtherRobot ? join(ROOT, 'resources', 'maps', 'open-floor.yaml') : undefined);
    if (mapYaml && !values.map) process.stdout.write(`No --map: planning on the open floor (${mapYaml})\n`);

    const locMode = values.localization;
    if (locMode !== undefined && locMode !== 'on' && locMode !== 'global' && locMode !== 'off') throw new UsageError(`--localization wants on, global or off, got '${locMode}'`);
    if (values['new-map'] && locMode !== undefined) throw new UsageError('--new-map builds the map while driving: it goes without --localization');
    const estimator = values['new-map'] ? 'mapping' : locMode === 'on' ? 'localize' : locMode;
    const simDrift = values.drift;
    if (simDrift !== undefined && simDrift !== 'off' && simDrift !== 'typical') throw new UsageError(`--drift wants off or typical, got '${simDrift}'`);
    if (simDrift !== undefined && robot.kind !== 'sim' && !values.auto && chosen.length > 0) throw new UsageError('--drift is for the simulator (--sim)');

    // From here on, every way serve can end goes through one graceful stop (Stop to the robot,
    // the simulator child ended, the run closed), including a stdout nobody reads any more.
    const stopped = stopRequests();
    const dbPath = resolveRunsDbPath(values.db);
    const core = await createConsoleCore({ resourcesDir: join(ROOT, 'resources'), mapYaml, simSeed: seed, dbPath, catalog, estimator, simDrift });
    for (const w of core.warnings) process.stderr.write(`foresight serve: ${w}\n`);
    if (core.warnings.length === 0) process.stdout.write(`Recording runs to ${dbPath}\n`);
    const web = await startWebHost({ backend: core, rendererDir: join(ROOT, 'out', 'renderer'), host: loopback ? '127.0.0.1' : host, port: httpPort });
    if (!loopback) {
      process.stderr.write(`\n!!! WARNING: the console is reachable from the network on ${host}:${web.port}.\n!!! Anyone with the link can drive the robot. Use only on a network you trust.\n\n`);
    }
    process.stdout.write(`Foresight console: ${web.url}\n`);
    process.stdout.write('  (its token is new at each start and good until this console stops: anyone with the URL can drive the robot)\n');
    const what = request.kind === 'sim' ? 'the built-in simulated robot' : request.kind === 'serial' ? request.path : `${request.host}:${request.port}`;
    const profile = findRobotProfile(catalog, request.robot ?? 'foresight');
    process.stdout.write(`Connecting to ${profile.title} on ${what}${request.lidar ? ` with the ${request.lidar.model}${request.lidar.path ? ` on ${request.lidar.path}` : ''}` : ''}…\n`);
    process.stdout.write(`When commands stop, it ${profile.watchdog ? profile.watchdog.action : 'KEEPS DRIVING: it has no dead-man of its own'}.\n`);
    const res = await core.connect(request);
    if (!res.ok) process.stderr.write(`foresight serve: ${res.error}\n`);
    const link = linkReporter((line) => process.stdout.write(line));
    link.report(core.snapshot().link);
    core.subscribe((event, payload) => {
      if (event === 'snapshot') link.report((payload as ConsoleSnapshot).link);
      if (event === 'event') {
        const e = payload as { level: string; message: string };
        // A link change is also announced as an event: the link line already carries it.
        link.report(core.snapshot().link);
        if (!link.hasSaid(e.message)) process.stdout.write(`[${e.level}] ${e.message}\n`);
      }
    });

    const { code } = await stopped;
    process.stdout.write('Stopping: sending Stop to the robot…\n');
    await core.shutdown();
    await web.close();
    return code;
  },
};

export default serve;
