/**
 * The console's keyboard and mouse shortcuts, for the Help overlay. Keys are read from the
 * code that handles them where it names them (teleop/keys.ts through `driveKeyOf`, the map's
 * MAP_SHORTCUT_KEYS and ZONE_TOOL_KEYS); test/renderer/panels/help.test.ts checks the rest
 * against their handlers.
 */
import { driveKeyOf, type DriveKey } from '../../teleop/keys';
import { MAP_SHORTCUT_KEYS } from '../Map/useMapControls';
import { ZONE_TOOL_KEYS } from '../Map/useMapTools';

export interface Shortcut {
  /** Key caps, as printed: ['W', '↑']. */
  keys: string[];
  what: string;
}

export interface ShortcutGroup {
  title: string;
  shortcuts: Shortcut[];
}

/** Physical keys (KeyboardEvent.code) the teleop controller may know, and how each is printed. */
const KEY_CAPS: [code: string, cap: string][] = [
  ['KeyW', 'W'], ['ArrowUp', '↑'], ['KeyS', 'S'], ['ArrowDown', '↓'],
  ['KeyA', 'A'], ['ArrowLeft', '←'], ['KeyD', 'D'], ['ArrowRight', '→'],
];
const DRIVE_WORDS: Record<DriveKey, string> = {
  forward: 'Drive forward (hold)',
  back: 'Drive backward (hold)',
  left: 'Turn left, counter-clockwise (hold)',
  right: 'Turn right, clockwise (hold)',
};

/** The drive keys grouped by what `driveKeyOf` makes of them. */
export function driveShortcuts(): Shortcut[] {
  const by = new Map<DriveKey, string[]>();
  for (const [code, cap] of KEY_CAPS) {
    const k = driveKeyOf({ code });
    if (k) by.set(k, [...(by.get(k) ?? []), cap]);
  }
  return (Object.keys(DRIVE_WORDS) as DriveKey[]).filter((k) => by.has(k)).map((k) => ({ keys: by.get(k)!, what: DRIVE_WORDS[k] }));
}

const cap = (key: string) => (key === 'escape' || key === 'Escape' ? 'Esc' : key.length === 1 ? key.toUpperCase() : key);

export function shortcutGroups(): ShortcutGroup[] {
  return [
    {
      title: 'Driving (live)',
      shortcuts: [
        ...driveShortcuts(),
        // teleop/controller.ts: Space (e.code 'Space') is the emergency stop, everywhere but in a text field.
        { keys: ['Space'], what: 'Emergency stop (release it with the button)' },
      ],
    },
    {
      title: 'Map',
      shortcuts: [
        { keys: [cap(MAP_SHORTCUT_KEYS.goalMode)], what: 'Goal mode on / off: press at the goal, drag toward its heading' },
        { keys: [cap(MAP_SHORTCUT_KEYS.endGoalMode)], what: 'Leave goal mode' },
        { keys: [cap(MAP_SHORTCUT_KEYS.follow)], what: 'Follow the robot on / off (each view has its own)' },
        { keys: ['Drag'], what: 'Pan (turns Follow off)' },
        { keys: ['Wheel'], what: 'Zoom at the cursor (at the robot while following)' },
        { keys: ['Double-click'], what: 'Fit: the map (live) or the run (review)' },
        { keys: ['Shift + drag', 'Right-drag'], what: 'Set a goal without goal mode' },
      ],
    },
    {
      title: 'Drawing a zone',
      shortcuts: [
        { keys: ['Click'], what: 'Add a corner' },
        { keys: [ZONE_TOOL_KEYS.finish, 'Double-click'], what: 'Finish the polygon (or click the first corner)' },
        { keys: [ZONE_TOOL_KEYS.removeCorner], what: 'Remove the last corner' },
        { keys: [cap(ZONE_TOOL_KEYS.cancel)], what: 'Drop the polygon' },
      ],
    },
    {
      title: 'Help',
      shortcuts: [
        { keys: ['?', 'F1'], what: 'Open this help' },
        { keys: ['Esc'], what: 'Close it' },
      ],
    },
  ];
}
