/**
 * On-screen joystick: knob offset from the centre (screen px, y down) → teleop input.
 * Up = forward, left = turn left (counter-clockwise). The knob is clamped to the radius.
 */
import type { TeleopInput } from '../../shared/api';

export function joystickInput(dx: number, dy: number, radius: number, deadZone = 0.08): {
  input: TeleopInput;
  knob: { x: number; y: number };
} {
  const m = Math.hypot(dx, dy);
  const k = m > radius && m > 0 ? radius / m : 1;
  const kx = dx * k;
  const ky = dy * k;
  let nx = radius > 0 ? kx / radius : 0;
  let ny = radius > 0 ? ky / radius : 0;
  if (Math.hypot(nx, ny) < deadZone) {
    nx = 0;
    ny = 0;
  }
  return { input: { linear: ny === 0 ? 0 : -ny, angular: nx === 0 ? 0 : -nx }, knob: { x: kx, y: ky } };
}
