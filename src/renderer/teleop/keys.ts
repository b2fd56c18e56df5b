/**
 * Keyboard teleop: held keys → normalized TeleopInput. W/↑ forward, S/↓ back, A/← turn left
 * (counter-clockwise, +angular), D/→ turn right. Keys are identified by `KeyboardEvent.code`
 * (layout independent) with a fallback on `key`.
 */
import type { TeleopInput } from '../../shared/api';

export type DriveKey = 'forward' | 'back' | 'left' | 'right';

const BY_CODE: Record<string, DriveKey> = {
  KeyW: 'forward',
  ArrowUp: 'forward',
  KeyS: 'back',
  ArrowDown: 'back',
  KeyA: 'left',
  ArrowLeft: 'left',
  KeyD: 'right',
  ArrowRight: 'right',
};
const BY_KEY: Record<string, DriveKey> = {
  w: 'forward',
  s: 'back',
  a: 'left',
  d: 'right',
  ArrowUp: 'forward',
  ArrowDown: 'back',
  ArrowLeft: 'left',
  ArrowRight: 'right',
};

/** The drive key an event stands for, or null. */
export function driveKeyOf(ev: { code?: string; key?: string }): DriveKey | null {
  if (ev.code && BY_CODE[ev.code]) return BY_CODE[ev.code];
  if (ev.key) {
    const k = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
    if (BY_KEY[k]) return BY_KEY[k];
  }
  return null;
}

/**
 * Normalized input for the held keys: a held key is full scale (±1 of the robot's limits;
 * the operator's speed limit is applied by the console's main side, not here). Opposite
 * keys cancel. Turning while reversing keeps the key's meaning for the body (A still
 * rotates counter-clockwise).
 */
export function teleopFromKeys(held: ReadonlySet<DriveKey>): TeleopInput {
  const lin = (held.has('forward') ? 1 : 0) - (held.has('back') ? 1 : 0);
  const ang = (held.has('left') ? 1 : 0) - (held.has('right') ? 1 : 0);
  return { linear: lin, angular: ang };
}

export function clampUnit(v: number): number {
  if (!Number.isFinite(v)) return 0;
  return v < -1 ? -1 : v > 1 ? 1 : v;
}

/** True when the event target is somewhere the operator types: keys then belong to it. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as HTMLElement).tagName !== 'string') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
    return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color'].includes(type);
  }
  return false;
}
