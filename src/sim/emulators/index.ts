/**
 * Which emulator plays which device: the simulated counterpart of src/main/robot/registry.ts.
 * A robot profile's base protocol and a lidar profile's protocol each have an emulator written
 * from the device's public specification, on top of the same SimCore.
 */
import type { LidarProfile, RobotProfile } from '../../shared/robots';
import type { SimCore } from '../sim-core';
import { SimRobot } from '../sim-robot';
import type { DeviceEmulator } from './emulator';
import { Turtlebot3Emulator } from './turtlebot3';
import { MavlinkRoverEmulator } from './mavlink';
import { Create2Emulator } from './create2';
import { KobukiEmulator } from './kobuki';
import { RplidarEmulator } from './rplidar';
import { Lds01Emulator, Lds02Emulator } from './lds';

export { SimRig, type DeviceEmulator, type SteppedSimulation } from './emulator';
export { robotParamsFor } from './profile-params';

/** The robot's firmware for a profile, speaking its protocol over bytes. */
export function createBaseEmulator(core: SimCore, profile: RobotProfile): DeviceEmulator {
  switch (profile.driver) {
    case 'foresight':
      return new SimRobot(core);
    case 'turtlebot3':
      return new Turtlebot3Emulator(core, profile);
    case 'mavlink':
      return new MavlinkRoverEmulator(core, profile);
    case 'create2':
      return new Create2Emulator(core, profile);
    case 'kobuki':
      return new KobukiEmulator(core, profile);
  }
}

/** A lidar on its own port, streaming the simulator's scans in its device's packets. */
export function createLidarEmulator(core: SimCore, profile: LidarProfile): DeviceEmulator {
  switch (profile.driver) {
    case 'rplidar':
      return new RplidarEmulator(core, profile);
    case 'lds-01':
      return new Lds01Emulator(core, profile);
    case 'lds-02':
      return new Lds02Emulator(core, profile);
  }
}
