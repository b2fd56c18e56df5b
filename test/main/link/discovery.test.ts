import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listPorts } from '../../../src/main/link/discovery';
import { createPseudoTerminal } from '../../../src/sim/pty';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'foresight-discovery-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('listPorts', () => {
  it('scans a device directory for serial names that are character devices, in natural order', async () => {
    const dev = await tempDir();
    // Symlinks to /dev/null stand in for device nodes: stat() follows them to a character device.
    for (const name of ['ttyUSB0', 'ttyACM1', 'ttyS10', 'ttyS2']) await symlink('/dev/null', join(dev, name));
    await writeFile(join(dev, 'ttyUSB9'), 'a regular file, not a device');
    await symlink('/dev/null', join(dev, 'video0'));
    const ports = await listPorts({ devDir: dev, simulatorLinkDirs: [], skipSystemList: true });
    expect(ports.map((p) => p.path)).toEqual(['ttyACM1', 'ttyS2', 'ttyS10', 'ttyUSB0'].map((n) => join(dev, n)));
    expect(ports.every((p) => p.source === 'scan' && p.label.length > 0)).toBe(true);
  });

  it('reads USB vendor and product ids of scanned devices from sysfs, as Linux lays it out', async () => {
    const dir = await tempDir();
    const dev = join(dir, 'dev');
    await mkdir(dev);
    for (const name of ['ttyACM0', 'ttyUSB0', 'ttyS0']) await symlink('/dev/null', join(dev, name));
    // /sys/class/tty/ttyACM0/device → .../1-1/1-1:1.0 (the interface); the ids sit on 1-1.
    const usbDev = join(dir, 'devices', 'usb1', '1-1');
    await mkdir(join(usbDev, '1-1:1.0'), { recursive: true });
    await writeFile(join(usbDev, 'idVendor'), '0483\n');
    await writeFile(join(usbDev, 'idProduct'), '5740\n');
    // ttyUSB0: a usb-serial adapter one level deeper (interface → ttyUSB0 port), upper-case hex.
    const ftdi = join(dir, 'devices', 'usb1', '1-2');
    await mkdir(join(ftdi, '1-2:1.0', 'ttyUSB0'), { recursive: true });
    await writeFile(join(ftdi, 'idVendor'), '0403\n');
    await writeFile(join(ftdi, 'idProduct'), '6015\n');
    const sys = join(dir, 'sys-class-tty');
    for (const [name, target] of [['ttyACM0', join(usbDev, '1-1:1.0')], ['ttyUSB0', join(ftdi, '1-2:1.0', 'ttyUSB0')]] as const) {
      await mkdir(join(sys, name), { recursive: true });
      await symlink(target, join(sys, name, 'device'));
    }
    const ports = await listPorts({ devDir: dev, sysTtyDir: sys, simulatorLinkDirs: [], skipSystemList: true });
    expect(ports.find((p) => p.path.endsWith('ttyACM0'))).toMatchObject({ vendorId: '0483', productId: '5740' });
    expect(ports.find((p) => p.path.endsWith('ttyUSB0'))).toMatchObject({ vendorId: '0403', productId: '6015' });
    // A built-in UART has no USB ids.
    expect(ports.find((p) => p.path.endsWith('ttyS0'))!.vendorId).toBeUndefined();
  });

  it('finds live simulator links, skips dead ones, and adds configured paths', async () => {
    const dir = await tempDir();
    const pty = await createPseudoTerminal({ linkPath: join(dir, 'foresight-sim.tty') });
    cleanup.push(() => pty.close());
    await symlink('/dev/pts/999999', join(dir, 'foresight-dead.tty'));
    const ports = await listPorts({ devDir: join(dir, 'no-dev'), simulatorLinkDirs: [dir], extraPaths: ['/dev/null', '/nope'], skipSystemList: true });
    expect(ports).toEqual([
      { path: join(dir, 'foresight-sim.tty'), label: `Simulator (${pty.path})`, source: 'simulator' },
      expect.objectContaining({ path: '/dev/null', source: 'scan' }),
    ]);
  });

  it('never throws, with the system listing unavailable and nothing to scan', async () => {
    const ports = await listPorts({ devDir: '/nonexistent', simulatorLinkDirs: ['/nonexistent'], systemListTimeoutMs: 1000 });
    expect(Array.isArray(ports)).toBe(true);
  });
});
