/**
 * The simulated robot's telemetry schedule, as its firmware streams it: Odometry at 50 Hz,
 * every LaserScan as the lidar completes it (10 Hz), ScreenState at 10 Hz, Status at 2 Hz.
 * Each message is stamped with the robot clock (s since sim start) at which it was sampled
 * (a scan: its capture time). Shared by the protocol endpoint (SimRobot, over bytes) and the
 * in-process robot the scenario runner drives on virtual time, so both robots say the same.
 */
import type { LaserScanMsg, RobotMessage } from '../shared/protocol';
import type { SimCore, SimScan, StepResult } from './sim-core';

const ODOMETRY_PERIOD = 0.02; // 50 Hz
const SCREEN_PERIOD = 0.1; // 10 Hz
const STATUS_PERIOD = 0.5; // 2 Hz

/** One telemetry message and the robot time it was sampled at, s. */
export interface TimedMessage {
  msg: RobotMessage;
  time: number;
}

export class SimTelemetry {
  private nextOdometry = 0;
  private nextScreen = 0;
  private nextStatus = 0;

  constructor(private readonly core: SimCore) {}

  /** (Re)starts the periodic streams now rather than at stale deadlines. */
  start(): void {
    const t = this.core.time;
    this.nextOdometry = t;
    this.nextScreen = t;
    this.nextStatus = t;
  }

  /** The messages due after a simulator step, in send order. */
  afterStep(result: StepResult): TimedMessage[] {
    const out: TimedMessage[] = result.scans.map((scan) => ({ msg: this.scanMessage(scan), time: scan.time }));
    const t = this.core.time;
    if (t >= this.nextOdometry - 1e-9) {
      out.push({ msg: { type: 'odometry', ...this.core.odometry() }, time: t });
      this.nextOdometry = nextDeadline(this.nextOdometry, t, ODOMETRY_PERIOD);
    }
    if (t >= this.nextScreen - 1e-9) {
      out.push({ msg: { type: 'screen-state', ...this.core.screenState() }, time: t });
      this.nextScreen = nextDeadline(this.nextScreen, t, SCREEN_PERIOD);
    }
    if (t >= this.nextStatus - 1e-9) {
      out.push({ msg: { type: 'status', ...this.core.status() }, time: t });
      this.nextStatus = nextDeadline(this.nextStatus, t, STATUS_PERIOD);
    }
    return out;
  }

  private scanMessage(scan: SimScan): LaserScanMsg {
    const l = this.core.params.lidar;
    return {
      type: 'laser-scan',
      angleMin: scan.angleMin,
      angleIncrement: scan.angleIncrement,
      // All beams are captured at one instant (no sweep skew).
      timeIncrement: 0,
      rangeMin: l.rangeMin,
      rangeMax: l.rangeMax,
      ranges: scan.ranges,
    };
  }
}

/** The first deadline after `t` on the grid `deadline + k·period` (skipping missed ones). */
function nextDeadline(deadline: number, t: number, period: number): number {
  return deadline + period * Math.max(1, Math.ceil((t - deadline) / period + 1e-9));
}
