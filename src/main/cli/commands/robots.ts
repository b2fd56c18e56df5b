/**
 * `foresight robots`: the robot and lidar profiles this console knows (built-in and the
 * user's own), with their protocol, limits, what each does when commands stop, and the USB
 * ids by which its port is recognised.
 */
import { forEachArg, UsageError, type CliCommand } from '../command';
import { userProfilesDir } from '../../robot/profiles';
import { cliCatalog } from '../profiles';

const usage = `Usage: foresight robots [--json]

Lists robot profiles (for --robot NAME) and lidar profiles (for --lidar NAME:PATH).
Built-in profiles live in resources/robots/; copy one into ${userProfilesDir()}
(or $XDG_CONFIG_HOME/foresight/robots) and edit it to describe your own robot; a file
there with a built-in's name replaces it. Lidars go in the lidars/ folder beside them.
  --json   the whole catalog as JSON`;

const robots: CliCommand = {
  name: 'robots',
  summary: 'list robot and lidar profiles',
  usage,
  async run(argv) {
    let json = false;
    forEachArg(argv, (a) => {
      if (a === '--json') json = true;
      else throw new UsageError(`unknown argument '${a}'`);
    });
    const catalog = cliCatalog();
    if (json) {
      process.stdout.write(`${JSON.stringify(catalog, null, 2)}\n`);
      return catalog.problems.length > 0 ? 1 : 0;
    }
    const usb = (ids: { vendorId: string; productId: string }[]): string => ids.map((u) => `${u.vendorId}:${u.productId}`).join(' ') || '-';
    const out: string[] = ['Robots (--robot NAME):'];
    const w = Math.max(...catalog.robots.map((r) => r.name.length));
    for (const r of catalog.robots) {
      out.push(`  ${r.name.padEnd(w)}  ${r.title}: ${r.driver} protocol, ${r.limits.maxLinearVelocity} m/s, ${r.body.footprintLength}×${r.body.footprintWidth} m, lidar ${r.lidar?.model ?? 'none'}${r.source === 'built-in' ? '' : ` (${r.source})`}`);
      out.push(`  ${''.padEnd(w)}  when commands stop: ${r.watchdog ? r.watchdog.action : 'KEEPS DRIVING (no dead-man of its own)'}; USB ${usb(r.usb)}`);
    }
    out.push('', 'Lidars (--lidar NAME:PATH):');
    const lw = Math.max(...catalog.lidars.map((l) => l.name.length));
    for (const l of catalog.lidars) {
      out.push(`  ${l.name.padEnd(lw)}  ${l.title}: ${l.baudRate} baud, ${l.rangeMin}–${l.rangeMax} m, ${l.rateHz} Hz, USB ${usb(l.usb)}${l.source === 'built-in' ? '' : ` (${l.source})`}`);
    }
    for (const p of catalog.problems) out.push(`Not loaded: ${p}`);
    process.stdout.write(`${out.join('\n')}\n`);
    return catalog.problems.length > 0 ? 1 : 0;
  },
};

export default robots;
