/**
 * Robot firmware and lidar emulators, each written from its device's public specification,
 * on top of the simulator's physics: what sits at the far end of a pseudo-terminal when
 * `foresight sim --robot NAME [--lidar NAME]` runs, and what the drivers are tested against.
 *
 * An emulator is a byte endpoint that the rig steps: `receive` takes the host's bytes (in
 * any chunking, including garbage), `afterStep` runs after every fixed simulator step and
 * writes whatever the device would send by then. Time is the simulator's (s since start);
 * emulators read no clock of their own, so they run the same in real time and in tests.
 *
 * A base emulator turns its protocol's commands into `core.setCommand(v, w)` (SI, base_link)
 * and implements its robot's own dead-man exactly as the spec says (TurtleBot3: zero after
 * 500 ms without a heartbeat; ArduPilot: stop 3 s after the last target; Create 2: none).
 * The simulator's own 250 ms watchdog is switched off for them (`commandTimeout: Infinity`)
 * so only the emulated robot's rule applies. A lidar emulator serialises the simulator's
 * scans (params.lidar: the lidar model's layout and rate) into its device's packets.
 */
import type { SimCore, StepResult } from '../sim-core';
import type { ByteSink } from '../sim-robot';

export interface DeviceEmulator {
  /** A host opened the port: bytes go to `sink`. */
  attach(sink: ByteSink): void;
  /** The host went away; the device keeps running (its own dead-man decides). */
  detach(sink?: ByteSink): void;
  /** Bytes from the host. */
  receive(bytes: Uint8Array): void;
  /** After each simulator step: the device's own timers and what it streams. */
  afterStep(result: StepResult): void;
}

/** Something RealTimeDriver can advance: the sim and a robot clock (s since sim start). */
export interface SteppedSimulation {
  readonly core: SimCore;
  clock: () => number;
  advanceTo(simTime: number): number;
}

/**
 * One simulator with every device on it (a base and maybe a separate lidar): steps the
 * physics once and lets each device react to the same step.
 */
export class SimRig implements SteppedSimulation {
  clock: () => number;
  readonly devices: DeviceEmulator[];

  constructor(
    readonly core: SimCore,
    devices: DeviceEmulator[],
    readonly stepSeconds = 0.01,
  ) {
    this.devices = devices;
    this.clock = () => core.time;
  }

  stepOnce(): void {
    const result = this.core.step(this.stepSeconds);
    for (const d of this.devices) d.afterStep(result);
  }

  advanceTo(simTime: number): number {
    let n = 0;
    while (this.core.time + this.stepSeconds <= simTime + 1e-9) {
      this.stepOnce();
      n++;
    }
    return n;
  }
}
