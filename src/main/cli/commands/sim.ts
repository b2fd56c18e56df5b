/**
 * `foresight sim`: runs the simulated robot as its own process, speaking link protocol v1
 * over a pseudo-terminal (the console opens it as a serial port) or a loopback TCP port.
 * stdout carries exactly one line, the endpoint, so scripts can read it; everything for
 * people goes to stderr.
 */
import { forEachArg, UsageError, type CliCommand } from '../command';
import { startSimulator, type SimTransportOptions } from '../../../sim/start';
import { cliCatalog, lidarOrUsage, robotOrUsage } from '../profiles';
import { usualSeparateLidar } from '../../../shared/robots';
import { DRIFT_KEYWORDS } from '../../../sim/drift';

const USAGE = `Usage: foresight sim (--pty [--link PATH] | --tcp PORT) [--robot NAME [--lidar NAME [--lidar-link PATH]]]
                     [--seed N] [--map FILE.yaml] [--people N] [--drift off|typical]

Runs a simulated robot in real time until killed, speaking its real protocol.
  --pty          create a pseudo-terminal; its device path is the first line on stdout
  --link PATH    with --pty: also make PATH a symlink to the device (stable across restarts)
  --tcp PORT     listen on 127.0.0.1:PORT instead (0: any free port); prints HOST:PORT
  --robot NAME   robot profile (see 'foresight robots'): its protocol, body and limits
                 (default foresight: the reference firmware, link protocol v1, lidar built in)
  --lidar NAME   a lidar on its own pseudo-terminal, in that lidar's protocol; its device
                 path is the second line on stdout. Default for robots other than foresight:
                 the profile's usual lidar. --lidar none: no separate lidar
  --lidar-link PATH  a stable symlink to the lidar's device
  --seed N       random seed (lidar noise, crowd); same seed, same world (default 1)
  --map FILE     a ROS map_server YAML (default: the built-in apartment)
  --people N     people walking between rooms (default 3 in the apartment, 0 elsewhere)
  --drift off|typical  odometry drift and lidar faults (default off: odometry is the truth).
                 typical: the robot profile's odometry error (wheel scale, slip, noise) and
                 typical lidar dropouts; odometry starts at (0, 0, 0) where the robot stands`;

interface SimArgs {
  transport: SimTransportOptions;
  seed: number;
  mapYaml?: string;
  people?: number;
  robot?: string;
  lidar?: string;
  lidarLink?: string;
  drift?: (typeof DRIFT_KEYWORDS)[number];
}

function parseArgs(argv: string[]): SimArgs {
  let pty = false;
  let link: string | undefined;
  let tcp: number | undefined;
  let seed = 1;
  let mapYaml: string | undefined;
  let people: number | undefined;
  let robot: string | undefined;
  let lidar: string | undefined;
  let lidarLink: string | undefined;
  let drift: SimArgs['drift'];
  forEachArg(argv, (a, value) => {
    const integer = (min: number, max: number): number => {
      const text = value();
      if (!/^-?\d+$/.test(text)) throw new UsageError(`${a} must be an integer, got '${text}'`);
      const n = Number(text);
      if (n < min || n > max) throw new UsageError(`${a} must be between ${min} and ${max}, got ${n}`);
      return n;
    };
    if (a === '--pty') pty = true;
    else if (a === '--link') link = value();
    else if (a === '--tcp') tcp = integer(0, 65535);
    else if (a === '--seed') seed = integer(-(2 ** 31), 2 ** 32 - 1);
    else if (a === '--map') mapYaml = value();
    else if (a === '--people') people = integer(0, 100);
    else if (a === '--robot') robot = value();
    else if (a === '--lidar') lidar = value();
    else if (a === '--lidar-link') lidarLink = value();
    else if (a === '--drift') {
      const v = value();
      if (!(DRIFT_KEYWORDS as readonly string[]).includes(v)) throw new UsageError(`--drift wants ${DRIFT_KEYWORDS.join(' or ')}, got '${v}'`);
      drift = v as SimArgs['drift'];
    }
    else throw new UsageError(`unknown argument '${a}'`);
  });
  if (pty === (tcp !== undefined)) throw new UsageError('give exactly one of --pty or --tcp PORT');
  if (link !== undefined && !pty) throw new UsageError('--link needs --pty');
  const transport: SimTransportOptions = pty ? { kind: 'pty', linkPath: link } : { kind: 'tcp', port: tcp! };
  if (lidarLink !== undefined && (lidar === undefined || lidar === 'none') && robot === undefined) throw new UsageError('--lidar-link needs --lidar NAME');
  return { transport, seed, mapYaml, people, robot, lidar, lidarLink, drift };
}

const sim: CliCommand = {
  name: 'sim',
  summary: 'run the simulated robot: --pty (prints its device path) or --tcp PORT',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const catalog = cliCatalog();
    const robot = args.robot !== undefined ? robotOrUsage(catalog, args.robot) : undefined;
    const lidar = lidarOrUsage(catalog, args.lidar ?? (robot ? usualSeparateLidar(robot) : null) ?? 'none');
    const running = await startSimulator({ transport: args.transport, seed: args.seed, mapYaml: args.mapYaml, people: args.people, robot, lidar, lidarLinkPath: args.lidarLink, drift: args.drift });
    // The first stdout line is the endpoint, the second the lidar's device when there is one;
    // stdout to a pipe or file is synchronous on POSIX.
    process.stdout.write(`${running.transport === 'pty' ? running.devicePath : running.endpoint}\n`);
    if (running.lidarPath) process.stdout.write(`${running.lidarPath}\n`);
    // Where the robot starts on the map, for a console placing a robot whose odometry starts at zero.
    const start = running.core.groundTruth().robotPose;
    process.stderr.write(`foresight sim: start pose ${start.x.toFixed(4)} ${start.y.toFixed(4)} ${start.theta.toFixed(5)}\n`);
    const p = running.core.params;
    process.stderr.write(
      `foresight sim: ${p.name}${robot ? ` (${robot.driver} protocol)` : ''} on ${running.endpoint}` +
        `${lidar ? `, ${lidar.title} on ${running.lidarPath}` : ''} (seed ${args.seed}, ` +
        `${running.core.groundTruth().people.length} people, ${p.footprintLength}×${p.footprintWidth} m, ` +
        `${p.maxLinearVelocity} m/s). Ctrl-C to stop.\n`,
    );
    await new Promise<void>((resolve) => {
      let closing = false;
      const shutdown = (): void => {
        if (closing) return;
        closing = true;
        // A second signal ends the process at once, should closing hang.
        process.off('SIGINT', shutdown);
        process.off('SIGTERM', shutdown);
        process.off('SIGHUP', shutdown);
        void running.close().then(resolve, resolve);
      };
      // A signal, or whoever reads stdout/stderr gone (a closed pipe: EPIPE): either way the
      // simulator stops and removes its ptys and links rather than crash past that cleanup.
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      process.on('SIGHUP', shutdown);
      process.stdout.on('error', shutdown);
      process.stderr.on('error', shutdown);
    });
    return 0;
  },
};

export default sim;
