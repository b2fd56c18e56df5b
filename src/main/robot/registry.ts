/**
 * Which driver speaks to which robot: a robot profile names its base protocol, a lidar
 * profile its lidar protocol. Everything that connects a robot (the console, the CLI, the
 * scenario runner over ptys, the driver bench) builds it here, so a profile file is all a
 * new robot of a known protocol needs.
 */
import type { LidarProfile, RobotProfile } from '../../shared/robots';
import { RobotLink, type Transport } from '../link';
import type { LidarDevice, LidarMount, RobotDriver } from './driver';
import { ForesightLinkDriver } from './foresight-driver';
import type { BaseDriverOptions } from './base-driver';
import { Turtlebot3Driver } from './turtlebot3/driver';
import { MavlinkDriver } from './mavlink/driver';
import { Create2Driver } from './create2/driver';
import { KobukiDriver } from './kobuki/driver';
import { RplidarDevice, type RplidarBaudRate } from './rplidar/driver';
import { Lds01Device, Lds02Device } from './lds/driver';
import { RobotWithLidar } from './with-lidar';

export interface BaseConnection {
  profile: RobotProfile;
  transport: Transport;
  /** The run log's name for where the robot is: "serial:/dev/ttyACM0", "tcp:host:port", "sim". */
  endpoint: string;
  /** What to stop after the port closes (a simulator the console started). */
  release?: () => Promise<void>;
  /** Driver timing overrides (tests). */
  timing?: BaseDriverOptions['timing'];
}

export interface LidarConnection {
  profile: LidarProfile;
  path: string;
  /** Default the profile's. */
  baudRate?: number;
  mount: LidarMount;
}

/** The base driver a profile names, over an unopened transport. */
export function createBaseDriver(c: BaseConnection): RobotDriver {
  const options: BaseDriverOptions = { transport: c.transport, profile: c.profile, endpoint: c.endpoint, release: c.release, timing: c.timing };
  switch (c.profile.driver) {
    case 'foresight':
      return new ForesightLinkDriver(new RobotLink({ transport: c.transport }), c.release, c.endpoint);
    case 'turtlebot3':
      return new Turtlebot3Driver(options);
    case 'mavlink':
      return new MavlinkDriver(options);
    case 'create2':
      return new Create2Driver(options);
    case 'kobuki':
      return new KobukiDriver(options);
  }
}

/** The lidar device a lidar profile names, on its own serial port. */
export function createLidarDevice(c: Omit<LidarConnection, 'mount'>): LidarDevice {
  const p = c.profile;
  const baudRate = c.baudRate ?? p.baudRate;
  switch (p.driver) {
    case 'rplidar':
      return new RplidarDevice({ path: c.path, baudRate: baudRate as RplidarBaudRate, beams: p.beams });
    case 'lds-01':
      return new Lds01Device({ path: c.path, baudRate, beams: p.beams, rangeMin: p.rangeMin, rangeMax: p.rangeMax });
    case 'lds-02':
      return new Lds02Device({ path: c.path, baudRate, beams: p.beams, rangeMin: p.rangeMin, rangeMax: p.rangeMax });
  }
}

/** A base, and a separate lidar merged into it when one is given. */
export function createRobotDriver(base: BaseConnection, lidar: LidarConnection | null): RobotDriver {
  const driver = createBaseDriver(base);
  if (!lidar) return driver;
  let device: LidarDevice;
  try {
    device = createLidarDevice(lidar);
  } catch (err) {
    // A lidar that cannot be made (a baud rate it does not speak) must not leave the base's
    // port or the simulator it started behind.
    void driver.dispose();
    throw err;
  }
  return new RobotWithLidar(driver, device, lidar.mount);
}
