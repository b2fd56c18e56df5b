/**
 * A scenario driven through a real robot driver, in real time: the simulator plays the
 * robot's firmware (its protocol emulator, written from the spec) and a lidar on a second
 * pseudo-terminal in that lidar's protocol; the console on the other end is the live one
 * (ConsoleCore on the host clock, the driver from the registry over serialport, the planner
 * in its worker thread). So this exercises everything a user's robot would, except the
 * robot. Figures come from the simulator's ground truth, as in the virtual-time runner.
 *
 * Scenarios were written for the reference robot (1 m/s); a slower robot gets a time limit
 * scaled by how much slower it is, so a 0.22 m/s TurtleBot3 is not failed for its top speed.
 */
import type { LidarProfile, RobotProfile } from '../../shared/robots';
import type { StepResult } from '../../sim/sim-core';
import { createBaseEmulator, createLidarEmulator, robotParamsFor, type DeviceEmulator } from '../../sim/emulators';
import { startRigOnPtys } from '../../sim/emulators/on-pty';
import { HOME_ROBOT } from '../../sim/robot-params';
import { distance } from '../../shared/geometry';
import type { TickDecision } from '../../planner/autonomy';
import { hostSeconds } from '../core/clock';
import { ConsoleCore } from '../core/console';
import { WorkerPlanner } from '../core/worker-planner';
import { SerialTransport } from '../link';
import { createRobotDriver } from '../robot/registry';
import { RunMeter, type RunFigures } from './run-meter';
import { scenarioWorld } from './run-scenario';
import { poseOf, type Scenario } from './scenario-file';

export interface DriverScenarioOptions {
  robot: RobotProfile;
  /** The lidar on its own port; null runs without one (goals are then refused). */
  lidar: LidarProfile | null;
  /** Called with the console's messages (goal reached, faults…). */
  onEvent?: (message: string) => void;
  /** Called after each safety tick with what the loop decided (traces). */
  onSafety?: (t: number, decision: TickDecision) => void;
}

export interface DriverScenarioReport extends RunFigures {
  scenario: string;
  robot: string;
  lidar: string | null;
  success: boolean;
  outcome: 'reached' | 'failed' | 'timeout' | 'collision' | 'refused';
  message: string | null;
  /** From the goal being set to the end, s (wall clock = sim time, real time). */
  time_s: number;
  time_limit_s: number;
  /** Distance from the goal at the end, m. */
  final_error_m: number;
  /** Link figures over the run, from the driver's status. */
  link: { frame_rate_hz: number; bad_frames: number; reconnects: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runScenarioThroughDriver(s: Scenario, opts: DriverScenarioOptions): Promise<DriverScenarioReport> {
  const { robot, lidar } = opts;
  const { sim, events, triggers } = scenarioWorld(s, robotParamsFor(robot, lidar));
  const goal = poseOf(s.goal);
  const timeLimitS = s.timeLimitS * Math.max(1, HOME_ROBOT.maxLinearVelocity / robot.limits.maxLinearVelocity);

  // The scenario's scripted events and the ground-truth meter ride on the simulator's own
  // steps, as one more device on the rig.
  let meter: RunMeter | null = null;
  const pending = [...events].sort((a, b) => a.at - b.at);
  const observer: DeviceEmulator = {
    attach: () => {},
    detach: () => {},
    receive: () => {},
    afterStep: (_result: StepResult) => {
      while (pending.length > 0 && pending[0]!.at <= sim.time) pending.shift()!.run(sim);
      const truth = sim.groundTruth();
      for (let i = triggers.length - 1; i >= 0; i--) if (triggers[i]!.when(truth)) triggers.splice(i, 1)[0]!.run(sim);
      meter?.observe(truth, 0.01);
    },
  };
  const devices = [createBaseEmulator(sim, robot), ...(lidar ? [createLidarEmulator(sim, lidar)] : [])];
  const rig = await startRigOnPtys(sim, [...devices, observer]);
  const basePath = rig.devices[0]!.path;
  const lidarPath = lidar ? rig.devices[1]!.path : null;

  const messages: string[] = [];
  const core = new ConsoleCore({
    clock: hostSeconds,
    driverFactory: async () =>
      createRobotDriver(
        { profile: robot, transport: new SerialTransport({ path: basePath, baudRate: robot.baudRate }), endpoint: `serial:${basePath}` },
        lidar && lidarPath ? { profile: lidar, path: lidarPath, mount: robot.lidar?.mount ?? { x: 0, y: 0, yaw: 0 } } : null,
      ),
    planner: new WorkerPlanner({ map: sim.world.grid, config: { predictor: { model: 'social' } } }),
    seed: s.seed,
    onTick: opts.onSafety,
  });
  core.subscribe((e, p) => {
    if (e !== 'event') return;
    const m = (p as { message: string }).message;
    messages.push(m);
    opts.onEvent?.(m);
  });

  const report: DriverScenarioReport = {
    scenario: s.name, robot: robot.name, lidar: lidar?.name ?? null, success: false, outcome: 'failed', message: null,
    time_s: 0, time_limit_s: timeLimitS, final_error_m: NaN, collisions: 0, path_length_m: 0, min_clearance_m: NaN,
    min_person_clearance_m: Infinity, rms_jerk: 0, stops: 0, link: { frame_rate_hz: 0, bad_frames: 0, reconnects: 0 },
  };
  try {
    // Scenarios are the operator's consent to autonomy on robots without a dead-man: the robot is simulated.
    // Placed on the map at the scenario's start, as an operator would place a real robot
    // (its odometry starts at zero wherever it stands).
    const connected = await core.connect({ kind: 'serial', path: basePath, robot: robot.name, allowAutonomyWithoutDeadman: true, initialPose: poseOf(s.start) });
    if (!connected.ok) throw new Error(connected.error);
    for (let i = 0; i < 750 && !(core.snapshot().link.state === 'connected' && core.state.pose && core.state.scan); i++) await sleep(20);
    // The planner's worker boots through tsx: retry while it is not ready.
    let res = await core.setGoal(goal);
    for (let i = 0; i < 100 && !res.ok && res.error.includes('not ready'); i++) {
      await sleep(200);
      res = await core.setGoal(goal);
    }
    if (!res.ok) {
      report.outcome = 'refused';
      report.message = res.error;
      return report;
    }
    meter = new RunMeter(sim.groundTruth(), goal, s.goalToleranceM);
    const started = hostSeconds();
    let frames = 0;
    let samples = 0;
    for (;;) {
      await sleep(20);
      const status = core.snapshot().link;
      frames += status.frameRateHz;
      samples++;
      const end = messages.find((m) => /^Goal (reached|abandoned)/.test(m));
      if (end) {
        report.outcome = end === 'Goal reached' ? 'reached' : 'failed';
        report.message = end;
        break;
      }
      if (hostSeconds() - started >= timeLimitS) {
        report.outcome = 'timeout';
        report.message = `time limit of ${timeLimitS.toFixed(1)} s reached`;
        break;
      }
    }
    report.time_s = hostSeconds() - started;
    const truth = sim.groundTruth();
    Object.assign(report, meter.figures(truth));
    report.final_error_m = distance(truth.robotPose, goal);
    report.success = report.outcome === 'reached' && report.collisions === 0 && report.final_error_m <= s.goalToleranceM + 0.05;
    const status = core.snapshot().link;
    report.link = { frame_rate_hz: samples > 0 ? frames / samples : 0, bad_frames: status.badFrames, reconnects: status.reconnects };
    return report;
  } finally {
    await core.shutdown();
    await rig.close();
  }
}
