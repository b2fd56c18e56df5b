/**
 * `foresight sim`: runs the simulated robot as its own process, speaking link protocol v1
 * over a pseudo-terminal (the console opens it as a serial port) or a loopback TCP port.
 * stdout carries exactly one line, the endpoint, so scripts can read it; everything for
 * people goes to stderr.
 */
import { forEachArg, UsageError, type CliCommand } from '../command';
import { startSimulator, type SimTransportOptions } from '../../../sim/start';

const USAGE = `Usage: foresight sim (--pty [--link PATH] | --tcp PORT) [--seed N] [--map FILE.yaml] [--people N]

Runs the simulated robot (firmware-equivalent, link protocol v1) in real time until killed.
  --pty          create a pseudo-terminal; its device path is the first line on stdout
  --link PATH    with --pty: also make PATH a symlink to the device (stable across restarts)
  --tcp PORT     listen on 127.0.0.1:PORT instead (0: any free port); prints HOST:PORT
  --seed N       random seed (lidar noise, crowd); same seed, same world (default 1)
  --map FILE     a ROS map_server YAML (default: the built-in apartment)
  --people N     people walking between rooms (default 3 in the apartment, 0 elsewhere)`;

interface SimArgs {
  transport: SimTransportOptions;
  seed: number;
  mapYaml?: string;
  people?: number;
}

function parseArgs(argv: string[]): SimArgs {
  let pty = false;
  let link: string | undefined;
  let tcp: number | undefined;
  let seed = 1;
  let mapYaml: string | undefined;
  let people: number | undefined;
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
    else throw new UsageError(`unknown argument '${a}'`);
  });
  if (pty === (tcp !== undefined)) throw new UsageError('give exactly one of --pty or --tcp PORT');
  if (link !== undefined && !pty) throw new UsageError('--link needs --pty');
  const transport: SimTransportOptions = pty ? { kind: 'pty', linkPath: link } : { kind: 'tcp', port: tcp! };
  return { transport, seed, mapYaml, people };
}

const sim: CliCommand = {
  name: 'sim',
  summary: 'run the simulated robot: --pty (prints its device path) or --tcp PORT',
  usage: USAGE,
  async run(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    const running = await startSimulator({ transport: args.transport, seed: args.seed, mapYaml: args.mapYaml, people: args.people });
    // The first stdout line is the endpoint; stdout to a pipe or file is synchronous on POSIX.
    process.stdout.write(`${running.transport === 'pty' ? running.devicePath : running.endpoint}\n`);
    const p = running.core.params;
    process.stderr.write(
      `foresight sim: ${p.name} on ${running.endpoint} (seed ${args.seed}, ` +
        `${running.core.groundTruth().people.length} people, ${p.footprintLength}×${p.footprintWidth} m, ` +
        `${p.maxLinearVelocity} m/s). Ctrl-C to stop.\n`,
    );
    await new Promise<void>((resolve) => {
      const shutdown = (): void => {
        process.off('SIGINT', shutdown);
        process.off('SIGTERM', shutdown);
        process.off('SIGHUP', shutdown);
        void running.close().then(resolve, resolve);
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      process.on('SIGHUP', shutdown);
    });
    return 0;
  },
};

export default sim;
