import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
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
