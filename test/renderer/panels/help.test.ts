/** Help overlay helpers: the keys that open it, the shortcuts it lists (checked against their handlers), the saved map display. */
import { describe, expect, it } from 'vitest';
import { isHelpKey } from '../../../src/renderer/panels/Help/help-state';
import { driveShortcuts, shortcutGroups } from '../../../src/renderer/panels/Help/shortcuts';
import { DEFAULT_MAP_DISPLAY, loadMapDisplay } from '../../../src/renderer/panels/Layers/useMapDisplay';
import { driveKeyOf } from '../../../src/renderer/teleop/keys';
import { MAP_SHORTCUT_KEYS } from '../../../src/renderer/panels/Map/useMapControls';

describe('help keys', () => {
  it('opens on ? and F1, not with a modifier', () => {
    expect(isHelpKey({ key: '?' })).toBe(true);
    expect(isHelpKey({ key: 'F1' })).toBe(true);
    expect(isHelpKey({ key: '/' })).toBe(false);
    expect(isHelpKey({ key: 'F1', ctrlKey: true })).toBe(false);
    expect(isHelpKey({ key: '?', metaKey: true })).toBe(false);
  });
});

describe('shortcut list', () => {
  it("lists the drive keys the teleop controller knows, grouped by what they do", () => {
    const rows = driveShortcuts();
    expect(rows.map((r) => r.keys)).toEqual([['W', '↑'], ['S', '↓'], ['A', '←'], ['D', '→']]);
    // Each printed key drives the way its row says (the letter keys through `key` too).
    const action = ['forward', 'back', 'left', 'right'];
    rows.forEach((r, i) => {
      for (const k of r.keys) {
        const key = k.length === 1 && /[A-Z]/.test(k) ? k.toLowerCase() : ({ '↑': 'ArrowUp', '↓': 'ArrowDown', '←': 'ArrowLeft', '→': 'ArrowRight' } as Record<string, string>)[k];
        expect(driveKeyOf({ key }), k).toBe(action[i]);
      }
    });
  });

  it("lists the map's single-key shortcuts and the help keys", () => {
    const all = shortcutGroups().flatMap((g) => g.shortcuts);
    const caps = all.flatMap((s) => s.keys);
    expect(caps).toContain(MAP_SHORTCUT_KEYS.goalMode.toUpperCase());
    expect(caps).toContain(MAP_SHORTCUT_KEYS.follow.toUpperCase());
    expect(caps).toEqual(expect.arrayContaining(['Space', '?', 'F1', 'Esc', 'Enter', 'Backspace']));
  });
});

describe('saved map display', () => {
  const store = (v: string | null) => ({ getItem: () => v });

  it('defaults to Foresight colours with the debug line off', () => {
    expect(DEFAULT_MAP_DISPLAY).toEqual({ mapScheme: 'foresight', debugStats: false });
    expect(loadMapDisplay(store(null))).toEqual(DEFAULT_MAP_DISPLAY);
    expect(loadMapDisplay(null)).toEqual(DEFAULT_MAP_DISPLAY);
  });

  it('reads what was saved and ignores what it does not know', () => {
    expect(loadMapDisplay(store('{"mapScheme":"ros","debugStats":true}'))).toEqual({ mapScheme: 'ros', debugStats: true });
    expect(loadMapDisplay(store('{"mapScheme":"jet","debugStats":"yes"}'))).toEqual(DEFAULT_MAP_DISPLAY);
    expect(loadMapDisplay(store('not json'))).toEqual(DEFAULT_MAP_DISPLAY);
  });
});
