/**
 * The review playback clock: run time as a function of wall time, rate and pause. Pure
 * (wall time is passed in), so playback, scrubbing and stepping are unit-testable.
 *
 * Run times are host-clock seconds as recorded; wall times are milliseconds
 * (performance.now()).
 */

export const MIN_RATE = 0.1;
export const MAX_RATE = 10;
/** The rates the UI offers. */
export const RATES = [0.1, 0.25, 0.5, 1, 2, 5, 10] as const;
/** One step: a planner cycle, s. */
export const STEP_S = 0.1;

export class PlaybackClock {
  private anchorT: number;
  private anchorWallMs = 0;
  private _rate = 1;
  private _playing = false;

  constructor(readonly startT: number, readonly endT: number, t = startT) {
    this.anchorT = this.clamp(t);
  }

  get playing(): boolean {
    return this._playing;
  }

  get rate(): number {
    return this._rate;
  }

  get duration(): number {
    return this.endT - this.startT;
  }

  /** Run time at wall time `wallMs`; stops (pauses) at the end of the run. */
  now(wallMs: number): number {
    if (!this._playing) return this.anchorT;
    const t = this.anchorT + ((wallMs - this.anchorWallMs) / 1000) * this._rate;
    if (t >= this.endT) {
      this.anchorT = this.endT;
      this._playing = false;
      return this.endT;
    }
    return t;
  }

  play(wallMs: number): void {
    if (this._playing) return;
    // Playing at the end starts over.
    if (this.anchorT >= this.endT) this.anchorT = this.startT;
    this.anchorWallMs = wallMs;
    this._playing = true;
  }

  pause(wallMs: number): void {
    if (!this._playing) return;
    this.anchorT = this.now(wallMs);
    this._playing = false;
  }

  toggle(wallMs: number): void {
    if (this._playing) this.pause(wallMs);
    else this.play(wallMs);
  }

  /** Jumps to run time `t` (clamped to the run), keeping play/pause. */
  seek(t: number, wallMs: number): void {
    this.anchorT = this.clamp(t);
    this.anchorWallMs = wallMs;
  }

  /** Pauses and moves by `steps` steps (negative: backwards). */
  step(steps: number, wallMs: number): void {
    const t = this.now(wallMs);
    this._playing = false;
    this.anchorT = this.clamp(t + steps * STEP_S);
  }

  /** Changes the rate (clamped to 0.1×…10×) without a jump in run time. */
  setRate(rate: number, wallMs: number): void {
    const t = this.now(wallMs);
    this._rate = Math.min(MAX_RATE, Math.max(MIN_RATE, rate));
    this.anchorT = t;
    this.anchorWallMs = wallMs;
  }

  clamp(t: number): number {
    return Math.min(this.endT, Math.max(this.startT, Number.isFinite(t) ? t : this.startT));
  }
}

/** "m:ss.s" of a duration, s. */
export function fmtClock(s: number): string {
  const neg = s < 0;
  const a = Math.abs(s);
  const m = Math.floor(a / 60);
  const sec = a - m * 60;
  return `${neg ? '-' : ''}${m}:${sec < 10 ? '0' : ''}${sec.toFixed(1)}`;
}
