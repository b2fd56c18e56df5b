import { describe, expect, it } from 'vitest';
import { driveKeyOf, isTypingTarget, teleopFromKeys, type DriveKey } from '../../src/renderer/teleop/keys';
import { combineSources, TeleopRepeater, type IntervalTimers } from '../../src/renderer/teleop/repeater';
import { applyDeadZone, DEADMAN_BUTTON, teleopFromGamepad } from '../../src/renderer/teleop/gamepad';
import { joystickInput } from '../../src/renderer/teleop/joystick';
import { TeleopController } from '../../src/renderer/teleop/controller';
import type { TeleopInput } from '../../src/shared/api';

const held = (...k: DriveKey[]) => new Set<DriveKey>(k);

describe('keyboard mapping', () => {
  it('maps WASD and arrows by code, and by key as a fallback', () => {
    expect(driveKeyOf({ code: 'KeyW', key: 'w' })).toBe('forward');
    expect(driveKeyOf({ code: 'ArrowDown' })).toBe('back');
    expect(driveKeyOf({ code: 'KeyA' })).toBe('left');
    expect(driveKeyOf({ code: 'ArrowRight' })).toBe('right');
    expect(driveKeyOf({ key: 'W' })).toBe('forward');
    expect(driveKeyOf({ code: 'KeyQ', key: 'q' })).toBeNull();
    expect(driveKeyOf({ code: 'Space', key: ' ' })).toBeNull();
  });

  it('turns held keys into normalized linear/angular', () => {
    expect(teleopFromKeys(held())).toEqual({ linear: 0, angular: 0 });
    expect(teleopFromKeys(held('forward'))).toEqual({ linear: 1, angular: 0 });
    expect(teleopFromKeys(held('back'))).toEqual({ linear: -1, angular: 0 });
    // Left is counter-clockwise: +angular (REP 103).
    expect(teleopFromKeys(held('left'))).toEqual({ linear: 0, angular: 1 });
    expect(teleopFromKeys(held('right'))).toEqual({ linear: 0, angular: -1 });
    expect(teleopFromKeys(held('forward', 'back', 'left'))).toEqual({ linear: 0, angular: 1 });
    // Full scale: the operator's speed limit is applied by the main side, not here.
    expect(teleopFromKeys(held('forward', 'right'))).toEqual({ linear: 1, angular: -1 });
  });

  it('treats text fields as typing targets but not buttons or checkboxes', () => {
    const el = (tagName: string, extra: Record<string, unknown> = {}) => ({ tagName, isContentEditable: false, ...extra }) as unknown as EventTarget;
    expect(isTypingTarget(el('INPUT', { type: 'text' }))).toBe(true);
    expect(isTypingTarget(el('INPUT', { type: 'number' }))).toBe(true);
    expect(isTypingTarget(el('TEXTAREA'))).toBe(true);
    expect(isTypingTarget(el('SELECT'))).toBe(true);
    expect(isTypingTarget(el('DIV', { isContentEditable: true }))).toBe(true);
    expect(isTypingTarget(el('INPUT', { type: 'checkbox' }))).toBe(false);
    expect(isTypingTarget(el('INPUT', { type: 'range' }))).toBe(false);
    expect(isTypingTarget(el('BUTTON'))).toBe(false);
    expect(isTypingTarget(el('CANVAS'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

/** A manual clock: intervals fire when `advance` passes them. */
class FakeTimers implements IntervalTimers {
  now = 0;
  private next = 1;
  readonly intervals = new Map<number, { fn: () => void; ms: number; due: number }>();
  setInterval(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.intervals.set(id, { fn, ms, due: this.now + ms });
    return id;
  }
  clearInterval(h: unknown): void {
    this.intervals.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let soonest: { id: number; due: number } | null = null;
      for (const [id, t] of this.intervals) if (t.due <= end && (!soonest || t.due < soonest.due)) soonest = { id, due: t.due };
      if (!soonest) break;
      const t = this.intervals.get(soonest.id)!;
      this.now = t.due;
      t.due += t.ms;
      t.fn();
    }
    this.now = end;
  }
}

describe('dead-man repeater', () => {
  const setup = () => {
    const timers = new FakeTimers();
    const sent: { t: number; input: TeleopInput }[] = [];
    const r = new TeleopRepeater((input) => sent.push({ t: timers.now, input }), 100, timers);
    return { timers, sent, r };
  };

  it('sends at once on press, repeats at 10 Hz while held, zeros at once on release, then stops', () => {
    const { timers, sent, r } = setup();
    r.update(true, { linear: 1, angular: 0 });
    expect(sent).toEqual([{ t: 0, input: { linear: 1, angular: 0 } }]);
    timers.advance(1000);
    expect(sent).toHaveLength(11);
    expect(sent.map((s) => s.t)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    timers.advance(50);
    r.update(false, { linear: 0, angular: 0 });
    expect(sent.at(-1)).toEqual({ t: 1050, input: { linear: 0, angular: 0 } });
    const n = sent.length;
    timers.advance(2000);
    expect(sent).toHaveLength(n);
    expect(r.active).toBe(false);
    expect(timers.intervals.size).toBe(0);
  });

  it('sends a change immediately and keeps repeating the newest input', () => {
    const { timers, sent, r } = setup();
    r.update(true, { linear: 1, angular: 0 });
    timers.advance(30);
    r.update(true, { linear: 1, angular: 1 });
    expect(sent.at(-1)).toEqual({ t: 30, input: { linear: 1, angular: 1 } });
    timers.advance(70);
    expect(sent.at(-1)).toEqual({ t: 100, input: { linear: 1, angular: 1 } });
    // Same input again does not add an extra send.
    const n = sent.length;
    r.update(true, { linear: 1, angular: 1 });
    expect(sent).toHaveLength(n);
  });

  it('repeats while active even when the input nets to zero (opposite keys held)', () => {
    const { timers, sent, r } = setup();
    r.update(true, { linear: 0, angular: 0 });
    timers.advance(300);
    expect(sent).toHaveLength(4);
    expect(r.active).toBe(true);
  });

  it('release with nothing held sends nothing unless forced', () => {
    const { sent, r } = setup();
    r.release();
    expect(sent).toHaveLength(0);
    r.release(true);
    expect(sent).toEqual([{ t: 0, input: { linear: 0, angular: 0 } }]);
  });

  it('combines sources: active if any, inputs summed and clamped', () => {
    expect(combineSources([])).toEqual({ active: false, input: { linear: 0, angular: 0 } });
    expect(
      combineSources([
        { active: true, input: { linear: 0.8, angular: 0 } },
        { active: true, input: { linear: 0.8, angular: -0.3 } },
        { active: false, input: { linear: 1, angular: 1 } },
      ]),
    ).toEqual({ active: true, input: { linear: 1, angular: -0.3 } });
  });
});

describe('gamepad and joystick', () => {
  const pad = (x: number, y: number, deadman: boolean) => ({
    connected: true,
    axes: [x, y],
    buttons: Array.from({ length: 8 }, (_, i) => ({ pressed: i === DEADMAN_BUTTON && deadman })),
  });

  it('applies a radial dead zone and rescales', () => {
    expect(applyDeadZone(0.1, 0.05)).toEqual({ x: 0, y: 0 });
    const full = applyDeadZone(0, -1);
    expect(full.x).toBeCloseTo(0);
    expect(full.y).toBeCloseTo(-1);
    expect(Math.hypot(applyDeadZone(0.2, 0).x, 0)).toBeLessThan(0.1);
  });

  it('drives only while the dead-man button is held; stick up is forward, left turns left', () => {
    expect(teleopFromGamepad(pad(0, -1, false)).active).toBe(false);
    const r = teleopFromGamepad(pad(-1, -1, true));
    expect(r.active).toBe(true);
    expect(r.input.linear).toBeGreaterThan(0.5);
    expect(r.input.angular).toBeGreaterThan(0.5);
    expect(teleopFromGamepad(null).active).toBe(false);
  });

  it('maps the joystick knob: up forward, left counter-clockwise, clamped to the ring', () => {
    const up = joystickInput(0, -40, 40);
    expect(up.input).toEqual({ linear: 1, angular: 0 });
    const left = joystickInput(-20, 0, 40);
    expect(left.input.angular).toBeCloseTo(0.5);
    expect(left.input.linear).toBe(0);
    const far = joystickInput(300, 400, 40);
    expect(Math.hypot(far.knob.x, far.knob.y)).toBeCloseTo(40);
    expect(joystickInput(1, 1, 40).input).toEqual({ linear: 0, angular: 0 });
  });
});

/** A window stand-in for the controller: events dispatched on it reach its listeners. */
function fakeWindow() {
  const win = new EventTarget() as EventTarget & { document: EventTarget & { visibilityState: string }; navigator: object };
  win.document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  win.navigator = {};
  return win;
}

function key(type: 'keydown' | 'keyup', code: string, k: string): Event {
  return Object.assign(new Event(type), { code, key: k, repeat: false, ctrlKey: false, metaKey: false, altKey: false });
}

describe('teleop controller', () => {
  // The speed limit lives in the console's main side (applied there to teleop and autonomy):
  // the controller sends normalized input, full scale for a held key or a full stick.
  it('sends normalized input for keys and the joystick, not scaled by a speed limit', () => {
    const sent: TeleopInput[] = [];
    const c = new TeleopController({ send: (i) => (sent.push(i), Promise.resolve({ ok: true })), emergencyStop: () => {} });
    const win = fakeWindow();
    c.attach(win as unknown as Window);
    try {
      win.dispatchEvent(key('keydown', 'KeyW', 'w'));
      expect(sent.at(-1)).toEqual({ linear: 1, angular: 0 });
      expect(c.getView()).toMatchObject({ active: true, input: { linear: 1, angular: 0 } });
      win.dispatchEvent(key('keyup', 'KeyW', 'w'));
      expect(sent.at(-1)).toEqual({ linear: 0, angular: 0 });

      c.setJoystick(true, { linear: 1, angular: -0.5 });
      expect(sent.at(-1)).toEqual({ linear: 1, angular: -0.5 });
      c.setJoystick(false, { linear: 0, angular: 0 });
      expect(sent.at(-1)).toEqual({ linear: 0, angular: 0 });
      expect(c.getView().active).toBe(false);
    } finally {
      c.dispose();
    }
  });

  it('Space is the emergency stop and releases everything at once', () => {
    const sent: TeleopInput[] = [];
    let stops = 0;
    const c = new TeleopController({ send: (i) => (sent.push(i), Promise.resolve({ ok: true })), emergencyStop: () => stops++ });
    const win = fakeWindow();
    c.attach(win as unknown as Window);
    try {
      win.dispatchEvent(key('keydown', 'KeyW', 'w'));
      win.dispatchEvent(key('keydown', 'Space', ' '));
      expect(stops).toBe(1);
      expect(sent.at(-1)).toEqual({ linear: 0, angular: 0 });
      expect(c.getView().active).toBe(false);
    } finally {
      c.dispose();
    }
  });
});
