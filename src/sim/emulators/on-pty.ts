/**
 * Emulated devices on real pseudo-terminals, run in real time: one pty per device (a base,
 * and a lidar on its own port), the simulator stepped by RealTimeDriver. What
 * `foresight sim --robot NAME --lidar NAME` and the driver tests use.
 */
import { createPseudoTerminal, type PseudoTerminal } from '../pty';
import { RealTimeDriver } from '../realtime';
import type { SimCore } from '../sim-core';
import { SimRig, type DeviceEmulator } from './emulator';

export interface DeviceOnPty {
  /** The slave device (or its symlink) a driver opens. */
  path: string;
  pty: PseudoTerminal;
  emulator: DeviceEmulator;
}

export interface RigOnPty {
  rig: SimRig;
  realtime: RealTimeDriver;
  devices: DeviceOnPty[];
  close(): Promise<void>;
}

/** Connects an emulator to a pty: host bytes in, device bytes out. */
export function plugIntoPty(pty: PseudoTerminal, emulator: DeviceEmulator): void {
  const sink = { write: (bytes: Uint8Array) => { if (!pty.closed) pty.write(bytes); } };
  emulator.attach(sink);
  pty.onData((chunk) => emulator.receive(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  pty.onClose(() => emulator.detach(sink));
}

/**
 * Starts `emulators` on one simulator, each on its own pty (`linkPaths[i]` adds a stable
 * symlink), and runs it in real time.
 */
export async function startRigOnPtys(core: SimCore, emulators: DeviceEmulator[], linkPaths: (string | undefined)[] = []): Promise<RigOnPty> {
  const devices: DeviceOnPty[] = [];
  try {
    for (const [i, emulator] of emulators.entries()) {
      const pty = await createPseudoTerminal(linkPaths[i] ? { linkPath: linkPaths[i] } : {});
      plugIntoPty(pty, emulator);
      devices.push({ path: pty.linkPath ?? pty.path, pty, emulator });
    }
  } catch (err) {
    await Promise.all(devices.map((d) => d.pty.close()));
    throw err;
  }
  const rig = new SimRig(core, emulators);
  const realtime = new RealTimeDriver(rig);
  realtime.start();
  let closing: Promise<void> | null = null;
  return {
    rig,
    realtime,
    devices,
    close() {
      closing ??= (async () => {
        realtime.stop();
        await Promise.all(devices.map((d) => d.pty.close()));
      })();
      return closing;
    },
  };
}
