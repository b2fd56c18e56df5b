/**
 * Predictive planning: where will the robot be when the plan being computed takes effect?
 *
 * The last measured state is already old (sensor age) when it arrives; planning takes time;
 * the new command needs time to reach the base (transit). Meanwhile the commands already
 * sent keep acting, each from the moment it arrives. This module replays those commands on
 * the measured state up to the instant the new plan takes effect. Pure function.
 *
 * Times are seconds on the host clock; poses map frame; velocities base_link.
 */
import { normalizeAngle } from '../../shared/geometry';
import { buildProfile, PROFILE_STRIDE, sampleProfile } from '../local/profile';
import type { RobotState } from '../local/types';

/** A velocity command that was sent to the base. */
export interface SentCommand {
  /** Host time the command was sent, seconds. */
  sentAt: number;
  /** Commanded forward speed, m/s. */
  v: number;
  /** Commanded yaw rate, rad/s. */
  w: number;
}

/** Measured latencies, seconds. */
export interface Latencies {
  /** Age of the state when it was received: measurement → host. */
  sensorAge: number;
  /** Time the planner needs from its start to its command. */
  planningTime: number;
  /** Time a command takes from being sent to acting on the motors. */
  commandTransit: number;
}

/** How the base follows velocity commands: jerk-limited, minimum-time tracking. */
export interface TrackingLimits {
  aMax: number;
  alphaMax: number;
  jerkMax: number;
  yawJerkMax: number;
}

export interface FastForwardInput {
  /** Last measured state (map frame pose, base_link velocities and accelerations). */
  measured: RobotState;
  /** Host time the measured state was received, seconds. */
  receivedAt: number;
  latency: Latencies;
  /** Host time planning starts, seconds. */
  now: number;
  /** Commands already sent (any order); older ones are fine and are ignored as needed. */
  commands: readonly SentCommand[];
  /**
   * How the base tracks commands. Omitted: the base takes each commanded velocity at once
   * (a rough model, but the one to use when its limits are unknown).
   */
  tracking?: TrackingLimits;
  /** Integration step, seconds (default 5 ms). */
  step?: number;
}

export interface FastForwardResult {
  /** State at `time`. */
  state: RobotState;
  /** When the new plan takes effect: now + planningTime + commandTransit, seconds. */
  time: number;
  /** When the measured state held: receivedAt − sensorAge, seconds. */
  measuredAt: number;
  /** Seconds fast-forwarded (time − measuredAt, never negative). */
  horizon: number;
  /** Commands whose effect started inside the fast-forwarded interval. */
  commandsApplied: number;
}

/** Fast-forwards the measured state to when the next plan takes effect. */
export function fastForward(input: FastForwardInput): FastForwardResult {
  const { measured, latency } = input;
  const measuredAt = input.receivedAt - Math.max(0, latency.sensorAge);
  const time = input.now + Math.max(0, latency.planningTime) + Math.max(0, latency.commandTransit);
  const transit = Math.max(0, latency.commandTransit);
  const horizon = Math.max(0, time - measuredAt);
  const h = input.step && input.step > 0 ? input.step : 0.005;

  // Commands in order of when they act.
  const cmds = input.commands
    .map((c) => ({ at: c.sentAt + transit, v: c.v, w: c.w }))
    .filter((c) => Number.isFinite(c.at) && Number.isFinite(c.v) && Number.isFinite(c.w))
    .sort((a, b) => a.at - b.at);

  // The target acting at the measurement: the last command that arrived by then (if none,
  // assume the base holds what it measured).
  let targetV = measured.v;
  let targetW = measured.w;
  let next = 0;
  while (next < cmds.length && cmds[next]!.at <= measuredAt) {
    targetV = cmds[next]!.v;
    targetW = cmds[next]!.w;
    next++;
  }

  let x = measured.pose.x;
  let y = measured.pose.y;
  let th = measured.pose.theta;
  let v = measured.v;
  let w = measured.w;
  let a = input.tracking ? measured.a : 0;
  let alpha = input.tracking ? measured.alpha : 0;
  let t = measuredAt;
  let applied = 0;
  if (!input.tracking) {
    // Velocity steps: the target acting at the measurement is what the base does.
    v = measured.v;
    w = measured.w;
  }

  const prof = new Float64Array(2 * PROFILE_STRIDE);
  const vv = new Float64Array(1);
  const aa = new Float64Array(1);
  const ww = new Float64Array(1);
  const al = new Float64Array(1);

  while (t < time - 1e-12) {
    const segEnd = next < cmds.length && cmds[next]!.at < time ? cmds[next]!.at : time;
    const segLen = segEnd - t;
    if (segLen > 0) {
      if (input.tracking) {
        const L = input.tracking;
        buildProfile(prof, 0, v, a, targetV, L.aMax, L.jerkMax);
        buildProfile(prof, PROFILE_STRIDE, w, alpha, targetW, L.alphaMax, L.yawJerkMax);
        const n = Math.max(1, Math.ceil(segLen / h));
        const dt = segLen / n;
        let v0 = v;
        let w0 = w;
        for (let i = 1; i <= n; i++) {
          sampleProfile(prof, 0, i * dt, vv, aa, 0);
          sampleProfile(prof, PROFILE_STRIDE, i * dt, ww, al, 0);
          [x, y, th] = arc(x, y, th, 0.5 * (v0 + vv[0]!), 0.5 * (w0 + ww[0]!), dt);
          v0 = vv[0]!;
          w0 = ww[0]!;
        }
        v = vv[0]!;
        w = ww[0]!;
        a = aa[0]!;
        alpha = al[0]!;
      } else {
        [x, y, th] = arc(x, y, th, v, w, segLen);
      }
    }
    t = segEnd;
    if (next < cmds.length && cmds[next]!.at <= t + 1e-12 && t < time) {
      targetV = cmds[next]!.v;
      targetW = cmds[next]!.w;
      if (!input.tracking) {
        v = targetV;
        w = targetW;
      }
      next++;
      applied++;
    }
  }
  return {
    state: { pose: { x, y, theta: normalizeAngle(th) }, v, w, a, alpha },
    time,
    measuredAt,
    horizon,
    commandsApplied: applied,
  };
}

/** Exact pose after moving `dt` seconds at constant (v, w) from (x, y, θ). */
function arc(x: number, y: number, th: number, v: number, w: number, dt: number): [number, number, number] {
  const dth = w * dt;
  if (Math.abs(dth) < 1e-9) {
    return [x + v * dt * Math.cos(th + 0.5 * dth), y + v * dt * Math.sin(th + 0.5 * dth), th + dth];
  }
  const r = v / w;
  return [x + r * (Math.sin(th + dth) - Math.sin(th)), y - r * (Math.cos(th + dth) - Math.cos(th)), th + dth];
}
