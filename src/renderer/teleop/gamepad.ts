/**
 * Gamepad teleop (standard mapping): left stick drives, LB (button 4) is the dead-man.
 * Stick up = forward; stick left = turn left (counter-clockwise).
 */
import type { TeleopInput } from '../../shared/api';

export const DEADMAN_BUTTON = 4;
export const DEAD_ZONE = 0.15;

/** Radial dead zone with rescaling so output starts at 0 just outside the zone. */
export function applyDeadZone(x: number, y: number, zone = DEAD_ZONE): { x: number; y: number } {
  const m = Math.hypot(x, y);
  if (!(m > zone)) return { x: 0, y: 0 };
  const scaled = Math.min(1, (m - zone) / (1 - zone));
  return { x: (x / m) * scaled, y: (y / m) * scaled };
}

export interface GamepadLike {
  connected: boolean;
  axes: readonly number[];
  buttons: readonly { pressed: boolean; value?: number }[];
}

/**
 * Source state for one pad: active only while the dead-man button is held. Normalized
 * (full stick = ±1 of the robot's limits); the speed limit is applied by the main side.
 */
export function teleopFromGamepad(pad: GamepadLike | null): {
  active: boolean;
  input: TeleopInput;
} {
  const held = !!pad && pad.connected && !!pad.buttons[DEADMAN_BUTTON]?.pressed;
  if (!pad || !held) return { active: false, input: { linear: 0, angular: 0 } };
  const s = applyDeadZone(pad.axes[0] ?? 0, pad.axes[1] ?? 0);
  return {
    active: true,
    input: { linear: clamp(-s.y), angular: clamp(-s.x) },
  };
}

function clamp(v: number): number {
  return v === 0 ? 0 : Math.max(-1, Math.min(1, v));
}
