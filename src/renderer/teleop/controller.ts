/**
 * Teleop input wiring (DOM): keyboard, on-screen joystick and gamepad feed one dead-man
 * repeater. Also owns the global keyboard shortcuts: Space = emergency stop.
 *
 * What goes out is NORMALIZED input (−1…1 of the robot's limits: full stick or a held key
 * is 1). The operator's speed limit is applied by the console's main side, to teleop and
 * autonomy alike (`setSpeedLimit`, `ConsoleSnapshot.speedLimit`); scaling here as well would
 * apply it twice.
 *
 * Keys are ignored while the operator types in a text field; focusing one, blurring the
 * window or hiding the page releases everything (zeros go out at once).
 */
import type { TeleopInput } from '../../shared/api';
import { teleopFromGamepad, type GamepadLike } from './gamepad';
import { driveKeyOf, isTypingTarget, teleopFromKeys, type DriveKey } from './keys';
import { combineSources, TeleopRepeater, ZERO } from './repeater';

export interface TeleopView {
  active: boolean;
  input: TeleopInput;
  keys: DriveKey[];
  joystick: boolean;
  gamepad: { connected: boolean; id: string; deadman: boolean } | null;
  lastError: string | null;
}

export interface TeleopControllerOptions {
  send: (input: TeleopInput) => Promise<unknown>;
  emergencyStop: () => void;
  /** Other single-key shortcuts (already filtered for typing), by lower-case key. */
  shortcuts?: Record<string, () => void>;
}

export class TeleopController {
  private readonly held = new Set<DriveKey>();
  private joystick: { active: boolean; input: TeleopInput } = { active: false, input: ZERO };
  private pad: { active: boolean; input: TeleopInput } = { active: false, input: ZERO };
  private padInfo: TeleopView['gamepad'] = null;
  private lastError: string | null = null;
  private readonly repeater: TeleopRepeater;
  private readonly subs = new Set<() => void>();
  private view: TeleopView;
  private readonly detach: (() => void)[] = [];
  private padTimer = 0;

  constructor(private readonly opts: TeleopControllerOptions) {
    this.repeater = new TeleopRepeater((input) => {
      opts.send(input).then(
        (res) => {
          const r = res as { ok?: boolean; error?: string } | undefined;
          const err = r && r.ok === false ? (r.error ?? 'refused') : null;
          if (err !== this.lastError) {
            this.lastError = err;
            this.publish();
          }
        },
        (e: unknown) => {
          const msg = e instanceof Error ? e.message : String(e);
          if (msg !== this.lastError) {
            this.lastError = msg;
            this.publish();
          }
        },
      );
    });
    this.view = this.makeView();
  }

  attach(win: Window = window): void {
    const on = <K extends keyof WindowEventMap>(t: K, fn: (e: WindowEventMap[K]) => void, capture = false) => {
      win.addEventListener(t, fn, capture);
      this.detach.push(() => win.removeEventListener(t, fn, capture));
    };
    on('keydown', (e) => this.onKeyDown(e));
    on('keyup', (e) => this.onKeyUp(e));
    on('blur', () => this.releaseAll());
    on('focusin', (e) => {
      if (isTypingTarget(e.target)) this.releaseKeys();
    });
    const onVis = () => {
      if (win.document.visibilityState === 'hidden') this.releaseAll();
    };
    win.document.addEventListener('visibilitychange', onVis);
    this.detach.push(() => win.document.removeEventListener('visibilitychange', onVis));
    on('gamepadconnected', () => this.startPadPolling(win));
    on('gamepaddisconnected', () => this.pollPad(win));
    if (typeof win.navigator.getGamepads === 'function' && [...win.navigator.getGamepads()].some((p) => p)) {
      this.startPadPolling(win);
    }
  }

  dispose(): void {
    for (const d of this.detach) d();
    this.detach.length = 0;
    clearInterval(this.padTimer);
    this.repeater.dispose();
  }

  subscribe = (fn: () => void): (() => void) => {
    this.subs.add(fn);
    return () => {
      this.subs.delete(fn);
    };
  };

  getView = (): TeleopView => this.view;

  /** Joystick source: `active` while the knob is held. */
  setJoystick(active: boolean, input: TeleopInput): void {
    this.joystick = { active, input: active ? input : ZERO };
    this.update();
  }

  /** Stops everything now (e-stop, blur): zeros out, no more repeats. */
  releaseAll(): void {
    this.held.clear();
    this.joystick = { active: false, input: ZERO };
    this.pad = { active: false, input: ZERO };
    this.repeater.release();
    this.publish();
  }

  // ---- keyboard ----

  private onKeyDown(e: KeyboardEvent): void {
    if (isTypingTarget(e.target)) return;
    if (e.code === 'Space' || e.key === ' ') {
      e.preventDefault(); // never "click" a focused button with the e-stop key
      if (!e.repeat) {
        this.releaseAll();
        this.opts.emergencyStop();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = driveKeyOf(e);
    if (k) {
      e.preventDefault(); // arrows would scroll
      if (!this.held.has(k)) {
        this.held.add(k);
        this.update();
      }
      return;
    }
    if (!e.repeat) {
      const fn = this.opts.shortcuts?.[e.key.toLowerCase()];
      if (fn) {
        e.preventDefault();
        fn();
      }
    }
  }

  private onKeyUp(e: KeyboardEvent): void {
    if (e.code === 'Space' || e.key === ' ') {
      if (!isTypingTarget(e.target)) e.preventDefault();
      return;
    }
    const k = driveKeyOf(e);
    // Releases count even in a text field: a key pressed outside and released inside must stop.
    if (k && this.held.delete(k)) this.update();
  }

  private releaseKeys(): void {
    if (this.held.size === 0) return;
    this.held.clear();
    this.update();
  }

  // ---- gamepad ----

  private startPadPolling(win: Window): void {
    if (this.padTimer) return;
    this.padTimer = win.setInterval(() => this.pollPad(win), 50);
    this.pollPad(win);
  }

  private pollPad(win: Window): void {
    const pads = typeof win.navigator.getGamepads === 'function' ? [...win.navigator.getGamepads()] : [];
    const pad = (pads.find((p) => p && p.connected) ?? null) as (Gamepad & GamepadLike) | null;
    const next = teleopFromGamepad(pad);
    const info = pad ? { connected: true, id: pad.id, deadman: next.active } : null;
    const changed =
      next.active !== this.pad.active ||
      next.input.linear !== this.pad.input.linear ||
      next.input.angular !== this.pad.input.angular ||
      JSON.stringify(info) !== JSON.stringify(this.padInfo);
    this.padInfo = info;
    if (!pad && this.padTimer) {
      clearInterval(this.padTimer);
      this.padTimer = 0;
    }
    if (changed) {
      this.pad = next;
      this.update();
    }
  }

  // ---- combine ----

  private update(): void {
    const keys = { active: this.held.size > 0, input: teleopFromKeys(this.held) };
    const c = combineSources([keys, this.joystick, this.pad]);
    this.repeater.update(c.active, c.input);
    this.publish();
  }

  private makeView(): TeleopView {
    return {
      active: this.repeater.active,
      input: this.repeater.input,
      keys: [...this.held],
      joystick: this.joystick.active,
      gamepad: this.padInfo,
      lastError: this.lastError,
    };
  }

  private publish(): void {
    this.view = this.makeView();
    for (const fn of [...this.subs]) fn();
  }
}
