/**
 * The autopilot mode numbers the MAVLink rover driver and its emulator share (pure
 * constants; the messages themselves are node-mavlink's, which needs Node and so stays out of
 * src/shared).
 */

/** ArduPilot Rover custom modes (Rover/mode.h `enum class Mode::Number`). */
export const ROVER_MODE = {
  MANUAL: 0, ACRO: 1, STEERING: 3, HOLD: 4, LOITER: 5, FOLLOW: 6, SIMPLE: 7, DOCK: 8, CIRCLE: 9,
  AUTO: 10, RTL: 11, SMART_RTL: 12, GUIDED: 15, INITIALISING: 16,
} as const;

/** PX4 main modes (src/modules/commander/px4_custom_mode.h `PX4_CUSTOM_MAIN_MODE`). */
export const PX4_MAIN_MODE = { MANUAL: 1, ALTCTL: 2, POSCTL: 3, AUTO: 4, ACRO: 5, OFFBOARD: 6, STABILIZED: 7, RATTITUDE: 8, TERMINATION: 9 } as const;
/** PX4 AUTO sub modes (`PX4_CUSTOM_SUB_MODE_AUTO`). */
export const PX4_AUTO_SUB_MODE = { READY: 1, TAKEOFF: 2, LOITER: 3, MISSION: 4, RTL: 5, LAND: 6, RTGS: 7, FOLLOW_TARGET: 8, PRECLAND: 9 } as const;

/**
 * PX4's HEARTBEAT custom_mode: the union in px4_custom_mode.h puts `reserved` in the low 16
 * bits, then main_mode (bits 16–23), then sub_mode (bits 24–31).
 */
export function px4CustomMode(main: number, sub = 0): number {
  return (((main & 0xff) << 16) | ((sub & 0xff) << 24)) >>> 0;
}

function nameOf(table: Record<string, number>, n: number): string | undefined {
  return Object.entries(table).find(([, v]) => v === n)?.[0];
}

/** "GUIDED", "OFFBOARD", "AUTO.LOITER" for a HEARTBEAT custom_mode. */
export function modeName(autopilot: 'ardupilot' | 'px4', customMode: number): string {
  if (autopilot === 'ardupilot') return nameOf(ROVER_MODE, customMode) ?? `mode ${customMode}`;
  const main = (customMode >>> 16) & 0xff;
  const sub = (customMode >>> 24) & 0xff;
  const mainName = nameOf(PX4_MAIN_MODE, main) ?? `main mode ${main}`;
  return main === PX4_MAIN_MODE.AUTO ? `AUTO.${nameOf(PX4_AUTO_SUB_MODE, sub) ?? sub}` : mainName;
}

/** SET_POSITION_TARGET_LOCAL_NED type_mask "use velocity + yaw rate": 0b010111100111 (ArduPilot's table: 1511). */
export const TYPE_MASK_VELOCITY_YAW_RATE = 0x05e7;
