/**
 * Assembles the console core with its real parts: map file, serial/TCP transports,
 * RobotLink, the simulator process, port discovery. Both hosts start here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MapLibrary, parsePoseGraph } from '../localization/maps';
import { WorkerEstimator } from '../localization/port';
import type { PoseGraphData } from '../../planner/slam/types';
import type { Zone } from '../../shared/api';
import { SerialTransport, TcpTransport, listPorts } from '../link';
import { hostSeconds } from './clock';
import { ConsoleCore, type DriverFactory } from './console';
import type { LidarMount } from '../robot/driver';
import { builtinProfilesDir, findLidarProfile, findRobotProfile, loadProfiles, userProfilesDir } from '../robot/profiles';
import { createRobotDriver, type LidarConnection } from '../robot/registry';
import { proposeProfiles } from '../robot/usb-match';
import { usualSeparateLidar, type LidarProfile, type ProfileCatalog } from '../../shared/robots';
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
  /** The user's profiles folder; default ~/.config/foresight/robots. Null: built-in profiles only. */
  userProfilesDir?: string | null;
  /** Profiles already loaded (the CLI's); default: loaded from resourcesDir and userProfilesDir. */
  catalog?: ProfileCatalog;
  /** Localization at connect (default: localize on any map but the open floor, which has nothing to localize on). */
  estimator?: 'localize' | 'global' | 'mapping' | 'off';
  /** The user's maps folder; default ~/.config/foresight/maps. */
  userMapsDir?: string;
  /** Odometry drift and lidar faults for a simulator started from the console. */
  simDrift?: 'off' | 'typical';
}

/** A lidar on a real port: the request must say which port. */
function lidarConnection(profile: LidarProfile | null, path: string | undefined, baudRate: number | undefined, mount: LidarMount): LidarConnection | null {
  if (!profile) return null;
  if (!path) throw new Error(`Say which port the ${profile.title} is on`);
  return { profile, path, baudRate, mount };
}

export async function createConsoleCore(opts: CreateConsoleOptions): Promise<ConsoleCore> {
  const maps = new MapLibrary(join(opts.resourcesDir, 'maps'), opts.userMapsDir);
  // --map takes a file, or the name of a saved or built-in map.
  const named = opts.mapYaml && !/[\\/]|\.ya?ml$/i.test(opts.mapYaml) ? maps.list().find((m) => m.name === opts.mapYaml) : undefined;
  const mapYaml = named?.path ?? opts.mapYaml ?? join(opts.resourcesDir, 'maps', 'apartment.yaml');
  const loaded = await loadRosMapFile(mapYaml);
  if (!loaded.ok) throw new Error(loaded.message);
  const startupProblems: string[] = [];
  let mapGraph: PoseGraphData | null = null;
  const graphPath = mapYaml.replace(/\.ya?ml$/i, '.posegraph.json');
  if (existsSync(graphPath)) {
    try {
      mapGraph = parsePoseGraph(readFileSync(graphPath, 'utf8'));
    } catch (err) {
      // The map still serves for localization; only extending it is lost.
      startupProblems.push(`Pose graph ${graphPath} not loaded (${(err as Error).message}): the map cannot be extended`);
    }
  }
  const openFloor = loaded.name === 'open-floor';
  const cliPath = opts.cliPath ?? join(opts.resourcesDir, '..', 'bin', 'foresight.mjs');

  // Robot and lidar profiles: the built-in ones and the user's own (a broken file is named
  // in the warnings; the rest still load).
  const catalog = opts.catalog ?? loadProfiles({ builtin: builtinProfilesDir(opts.resourcesDir), user: opts.userProfilesDir === undefined ? userProfilesDir() : opts.userProfilesDir });

  // Every robot is reached through the driver its profile names (src/main/robot/registry);
  // a separate lidar, when the request names one, is merged into it.
  const driverFactory: DriverFactory = async (req) => {
    const robot = findRobotProfile(catalog, req.robot ?? 'foresight');
    const lidarProfile = req.lidar ? findLidarProfile(catalog, req.lidar.model) : null;
    const mount = req.lidar?.mount ?? robot.lidar?.mount ?? { x: 0, y: 0, yaw: 0 };
    switch (req.kind) {
      case 'serial': {
        const lidar = lidarConnection(lidarProfile, req.lidar?.path, req.lidar?.baud, mount);
        return createRobotDriver({ profile: robot, transport: new SerialTransport({ path: req.path, baudRate: req.baud ?? robot.baudRate }), endpoint: `serial:${req.path}` }, lidar);
      }
      case 'tcp': {
        const lidar = lidarConnection(lidarProfile, req.lidar?.path, req.lidar?.baud, mount);
        return createRobotDriver({ profile: robot, transport: new TcpTransport({ host: req.host, port: req.port }), endpoint: `tcp:${req.host}:${req.port}` }, lidar);
      }
      case 'sim': {
        // The simulator speaks the profile's protocol; a robot other than the reference one
        // gets its usual lidar (or the one asked for) on a second pseudo-terminal.
        const usual = usualSeparateLidar(robot);
        const simLidar = lidarProfile ?? (usual ? findLidarProfile(catalog, usual) : null);
        const sim = await startSimProcess({ cliPath, seed: req.seed ?? opts.simSeed, mapYaml: named?.path ?? opts.mapYaml, drift: opts.simDrift, robot: robot.source === 'built-in' ? robot.name : robot.source, lidar: simLidar?.source === 'built-in' ? simLidar.name : simLidar?.source });
        const lidar = simLidar && sim.lidarPath ? { profile: simLidar, path: sim.lidarPath, mount } : null;
        const driver = createRobotDriver({ profile: robot, transport: new SerialTransport({ path: sim.devicePath }), endpoint: 'sim', release: () => sim.stop() }, lidar);
        // The console knows where the simulated robot stands, as an operator would place it.
        return { driver, placeAt: sim.startPose };
      }
    }
  };

  // A damaged or foreign database is refused with a clear message and never touched; the
  // console still drives, and says loudly that nothing is being recorded.
  const dbPath = opts.dbPath === undefined ? defaultRunsDbPath() : opts.dbPath;
  let recording: RunRecording | undefined;
  let notRecordingReason: string | undefined = dbPath ? undefined : 'recording is switched off for this console';
  const warnings: string[] = [...catalog.problems.map((p) => `Robot profile not loaded: ${p}`), ...startupProblems];
  if (dbPath) {
    try {
      recording = new RunRecording(Recorder.open(dbPath));
    } catch (err) {
      notRecordingReason = (err as Error).message;
      warnings.push(`NOT RECORDING: ${notRecordingReason}`);
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
    listPorts: async () => proposeProfiles(await listPorts(), catalog),
    listProfiles: () => catalog,
    planner: new WorkerPlanner({ map: loaded.map.grid }),
    estimator: new WorkerEstimator(),
    estimatorOnConnect: opts.estimator ?? (openFloor ? 'off' : 'localize'),
    maps,
    mapGraph,
    startupWarnings: warnings,
    ...(notRecordingReason ? { notRecordingReason } : {}),
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
