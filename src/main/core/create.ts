/**
 * Assembles the console core with its real parts: map file, serial/TCP transports,
 * RobotLink, the simulator process, port discovery. Both hosts start here.
 */
import { join } from 'node:path';
import type { ConnectRequest, Zone } from '../../shared/api';
import { RobotLink, SerialTransport, TcpTransport, listPorts } from '../link';
import { hostSeconds } from './clock';
import { ConsoleCore } from './console';
import { ForesightLinkDriver } from '../robot/foresight-driver';
import type { RobotDriver } from '../robot/driver';
import { RobotWithLidar } from '../robot/with-lidar';
import { RplidarDevice, type RplidarBaudRate } from '../robot/rplidar/driver';
import { WorkerPlanner } from './worker-planner';
import { loadRosMapFile, mapPayload } from './map-file';
import { startSimProcess } from './sim-process';
import { Recorder, defaultRunsDbPath } from '../recorder';
import { RunRecording } from './run-recording';
import { createReviewHandlers, ZoneStore, zonesPathFor } from '../review';

export interface CreateConsoleOptions {
  /** The project's resources folder (maps, scenarios). */
  resourcesDir: string;
  /** The project's bin/foresight.mjs, for starting the simulator process. */
  cliPath?: string;
  /** Map to show and plan on (map_server YAML); default the built-in apartment. */
  mapYaml?: string;
  /** Seed for a simulator started from the console. */
  simSeed?: number;
  /** Run database; default the app's data folder. Null: do not record. */
  dbPath?: string | null;
}

export async function createConsoleCore(opts: CreateConsoleOptions): Promise<ConsoleCore> {
  const mapYaml = opts.mapYaml ?? join(opts.resourcesDir, 'maps', 'apartment.yaml');
  const loaded = await loadRosMapFile(mapYaml);
  if (!loaded.ok) throw new Error(loaded.message);
  const cliPath = opts.cliPath ?? join(opts.resourcesDir, '..', 'bin', 'foresight.mjs');

  // Every robot is reached through a driver behind the robot seam (src/main/robot); a
  // separate lidar, when the request names one, is merged into it.
  const driverFactory = async (req: ConnectRequest): Promise<RobotDriver> => {
    const base = await baseDriver(req);
    const l = req.lidar;
    if (!l) return base;
    try {
      return new RobotWithLidar(base, new RplidarDevice({ path: l.path, baudRate: (l.baud ?? 115200) as RplidarBaudRate }), l.mount);
    } catch (err) {
      await base.dispose();
      throw err;
    }
  };
  const baseDriver = async (req: ConnectRequest): Promise<RobotDriver> => {
    switch (req.kind) {
      case 'serial':
        return new ForesightLinkDriver(new RobotLink({ transport: new SerialTransport({ path: req.path, baudRate: req.baud }) }), undefined, `serial:${req.path}`);
      case 'tcp':
        return new ForesightLinkDriver(new RobotLink({ transport: new TcpTransport({ host: req.host, port: req.port }) }), undefined, `tcp:${req.host}:${req.port}`);
      case 'sim': {
        const sim = await startSimProcess({ cliPath, seed: req.seed ?? opts.simSeed, mapYaml: opts.mapYaml });
        return new ForesightLinkDriver(new RobotLink({ transport: new SerialTransport({ path: sim.devicePath }) }), () => sim.stop(), 'sim');
      }
    }
  };

  // A damaged or foreign database is refused with a clear message and never touched; the
  // console still drives, and says loudly that nothing is being recorded.
  const dbPath = opts.dbPath === undefined ? defaultRunsDbPath() : opts.dbPath;
  let recording: RunRecording | undefined;
  const warnings: string[] = [];
  if (dbPath) {
    try {
      recording = new RunRecording(Recorder.open(dbPath));
    } catch (err) {
      warnings.push(`NOT RECORDING: ${(err as Error).message}`);
    }
  }

  // Operator zones live beside the run database; a foreign zones file is refused, untouched.
  let zones: ZoneStore | null = null;
  if (dbPath) {
    try {
      zones = ZoneStore.open(zonesPathFor(dbPath));
    } catch (err) {
      warnings.push(`Zones not loaded: ${(err as Error).message}`);
    }
  }
  // Zones are obeyed by the loop's guard (teleop and autonomy) and by the planner (costmap
  // and speed limits): the core passes them to both, at start and after every change.
  let core: ConsoleCore | null = null;
  const pushZones = (list: Zone[]): void => {
    core?.setZones(list);
  };
  const handlers = createReviewHandlers({ store: recording?.store ?? null, zones, onZonesChanged: pushZones });

  core = new ConsoleCore({
    handlers,
    onShutdown: () => zones?.close(),
    recording,
    clock: hostSeconds,
    driverFactory,
    map: mapPayload(loaded.name, loaded.map.grid),
    listPorts: () => listPorts(),
    planner: new WorkerPlanner({ map: loaded.map.grid }),
    startupWarnings: warnings,
  });
  if (zones) {
    try {
      pushZones(zones.list());
    } catch (err) {
      warnings.push(`Zones not loaded: ${(err as Error).message}`);
    }
  }
  return core;
}
